"""opskit monitor: Prometheus health, targets, rules and SLO checks, and the deploy gate."""

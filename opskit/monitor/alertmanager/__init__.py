"""Alertmanager health for ``opskit monitor check --alertmanager URL``."""

"""Checks against a live Prometheus (``--url``): each plans its API requests, a fetcher runs every
distinct request once, in parallel, and the check judges the answers."""

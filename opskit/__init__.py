"""opskit: one CLI for backend operations and security (audit, db, deploy, monitor)."""

__version__ = "0.1.0"

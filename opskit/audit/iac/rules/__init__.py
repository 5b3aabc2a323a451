"""Rule files (YAML data), one per kind of file, loaded by ``opskit.audit.iac.catalog``."""

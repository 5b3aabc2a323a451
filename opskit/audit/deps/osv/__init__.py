"""OSV data: the record schema, version matching, and the offline and online sources."""

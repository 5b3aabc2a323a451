"""opskit db: index advice from query logs, validated on PostgreSQL with HypoPG."""

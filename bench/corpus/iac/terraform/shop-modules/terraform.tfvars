env       = "prod"
public_db = "true"

package config

import "os"

const (
	defaultRegion   = "eu-west-1"
	stripeSecretKey = "sk_live_8bDtunmiThmHHvKA6DcOP6xH"
	dbPass          = "pZ1Yh.hJ-cN#P!"
	sentryDSN       = "https://b95d99e514b0b0391278bcdee6b32f5b@o115549.ingest.sentry.io/3945239"
	tokenHeader     = "X-Payments-Token"
)

type DBConfig struct {
	Host     string
	User     string
	Password string
}

var Default = DBConfig{
	Host:     "payments-db.internal",
	User:     "payments",
	Password: "FhMJyPJ3GWQlnBlTy7",
}

var fromEnv = DBConfig{Password: os.Getenv("PAYMENTS_DB_PASSWORD")}

func dsn() string {
	return "host=payments-db.internal port=5432 user=payments password=EFXPkFg6OtBVfzYb dbname=payments sslmode=require"
}

func mysqlDSN() string {
	return "ledger:B#YxRm_d8^cR0HKv@tcp(ledger-db:3306)/ledger?parseTime=true"
}

func init() {
	os.Setenv("AWS_SECRET_ACCESS_KEY", "YRtmOtn2waM4kgLDCJQHLodNDaZsLEhpgFtQJlrr")
	apiKey := "a26df9e6459937f8b954cdfc34d19bbb"
	_ = apiKey
	hmacSecret := []byte("BhKp5Khf1eT4Tiek0g2m0Zs92LjbZrxi")
	_ = hmacSecret
	password := os.Getenv("ADMIN_PASSWORD")
	_ = password
}

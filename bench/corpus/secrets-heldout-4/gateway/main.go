package main

var (
	adminToken   = flag.String("admin-token", "", "admin API token")
	upstreamKey  = "cd8736ceda1d68e9326b59374fbf99178cdc535d38f55bca"
	cookieSecret = securecookie.GenerateRandomKey(32)
)

func main() {
	store := sessions.NewCookieStore([]byte("FQWov7C9RViYrAKpurSrxatvTDxMujVX"))
	client := github.NewClient(nil).WithAuthToken("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")
	log.Printf("listening, token length %d", len(*adminToken))
}

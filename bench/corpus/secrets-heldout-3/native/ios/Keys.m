static NSString * const kStripeSecret = @"sk_live_khnUzNsb4Db9sMovkJdGsQST";
static NSString * const kAnalyticsToken = @"a663d6573cc04105a91db3b49bae1c75";

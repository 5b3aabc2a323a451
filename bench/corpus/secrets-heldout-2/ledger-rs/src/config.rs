pub const DATABASE_URL: &str = "postgres://ledger:KCRGD4fc2jDmt9qrnRBB@ledger-db:5432/ledger";
pub const API_TOKEN: &str = "tGaprBPhLERW0CbvaQqrpxCCduFxFv3il5Qf5ORr";
static SIGNING_KEY: &[u8] = b"K0tCb27brLe0Vyhlr7HiKRkf3hlrHsOa";
let password = std::env::var("LEDGER_PASSWORD").expect("LEDGER_PASSWORD not set");
let token_len = TOKEN_LEN * 2;

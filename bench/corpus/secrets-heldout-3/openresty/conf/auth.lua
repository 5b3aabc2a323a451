local api_secret = "sEvDfucpCRyy07xm0AJg5URbiUO4fZyaGJeBAd86"
local token = ngx.var.http_authorization

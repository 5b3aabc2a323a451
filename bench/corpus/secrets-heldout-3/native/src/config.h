#define API_HOST "api.acme.io"
#define API_KEY "PZvLh6aJTA3xnjmCuJV4CUnrcgYDwUSm"
static const char *db_password = "cAZk5SeN63k5lo";
#define PASSWORD_MAX_LEN 128

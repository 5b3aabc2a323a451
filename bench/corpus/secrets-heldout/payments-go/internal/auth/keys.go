package auth

// TokenSource issues bearer tokens; ErrInvalidToken is returned for expired ones.
type TokenSource interface{ Token() (string, error) }

var ErrInvalidToken = errors.New("invalid token")

const passwordResetTemplate = "password-reset.html"
const secretsPath = "/var/run/secrets/payments"

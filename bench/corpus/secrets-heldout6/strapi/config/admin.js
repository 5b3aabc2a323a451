module.exports = ({ env }) => ({
  auth: {
    secret: env('ADMIN_JWT_SECRET'),
  },
  apiToken: {
    salt: 'sipoatm0LIgyZgLOpDoZjg==',
  },
  transfer: {
    token: { salt: env('TRANSFER_TOKEN_SALT', 'toBeModified') },
  },
});

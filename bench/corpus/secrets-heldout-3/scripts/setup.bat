@echo off
set DB_PASSWORD=tZ6KpaWebT9oD7hH
set API_URL=https://api.acme.io
setx SENDGRID_API_KEY "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"

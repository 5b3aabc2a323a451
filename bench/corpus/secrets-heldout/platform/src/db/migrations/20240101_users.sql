CREATE TABLE users (
  id uuid PRIMARY KEY,
  password_hash text NOT NULL,
  api_key_prefix varchar(8),
  reset_token uuid
);
CREATE USER reporting WITH PASSWORD 'Ui2GP1UuKmbu7XaMC8';
ALTER USER app IDENTIFIED BY "S7#VLZKm8mLpYb";
GRANT SELECT ON ALL TABLES IN SCHEMA public TO reporting;
INSERT INTO settings (name, value) VALUES ('smtp_password', :smtp_password);

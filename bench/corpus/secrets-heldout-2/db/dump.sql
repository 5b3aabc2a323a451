INSERT INTO users (id, email, password_hash) VALUES (1, 'ops@acme.io', '$2b$12$IimnIcugn3T9pMqgbB9gYUA9i6bGJdhntpdY4UIUJOpaaulNNyl3a');
INSERT INTO api_clients (name, client_secret) VALUES ('mobile', 'bmocQk2DB3LHySnhnh5lzpuZ7aU2OhbSUAJxJA5y');

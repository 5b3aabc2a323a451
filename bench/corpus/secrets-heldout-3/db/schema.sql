CREATE TABLE accounts (id bigserial, password varchar(255) NOT NULL, api_token char(40));

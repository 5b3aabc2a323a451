CREATE USER 'reporting'@'%' IDENTIFIED BY 'Tundra#9990pRd29';
GRANT SELECT ON shop.* TO 'reporting'@'%';
CREATE USER 'legacy'@'10.%' IDENTIFIED WITH mysql_native_password AS '*016662c94848dfe9b9d2ab45e9d0d56cbf63470d';
ALTER ROLE airflow WITH LOGIN PASSWORD 'maple#9837pRRjt';
CREATE ROLE readonly NOLOGIN;
INSERT INTO api_clients (name, client_id, client_secret) VALUES ('mobile', 'acme-mobile', 'Ec8js6bwO8OAW5Sv1mJFVGjfK6JPVkpNSsumrYyj');
INSERT INTO settings (key, value) VALUES ('theme', 'dark');

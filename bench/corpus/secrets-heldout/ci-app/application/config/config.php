<?php
$config['base_url'] = 'https://app.acme.io/';
$config['encryption_key'] = 'piB8ESJH35itGPUy1PgDECIvSWA0Z7o0';
$config['sess_cookie_name'] = 'ci_session';
$config['csrf_token_name'] = 'csrf_test_name';
$db_pass = "n#gN7xFyl*zU";
$dbpassword = getenv('DB_PASSWORD');
$apiKey = $this->config->item('api_key');

<?php
class JConfig {
	public $offline = false;
	public $dbtype = 'mysqli';
	public $host = 'localhost';
	public $user = 'joomla_usr';
	public $password = 'otter%2406XqLX4';
	public $db = 'joomla';
	public $dbprefix = 'jos_';
	public $secret = 'r1HbBNcadLVszMTk';
	public $smtppass = '';
	public $log_path = '/var/www/html/administrator/logs';
}

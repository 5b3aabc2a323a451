<?php
$databases['default']['default'] = [
  'database' => 'drupal',
  'username' => 'drupal',
  'password' => 'Kestrel_9121zTFTK',
  'host' => 'localhost',
  'driver' => 'mysql',
];
$settings['hash_salt'] = '7ViP/4Br1owbvAIGcS6K4bMTN/HmrAJglgipga5n2KunpUnG3a+n30wxyCTw/UveYId/wbHKfw==';
$settings['config_sync_directory'] = '../config/sync';
$settings['trusted_host_patterns'] = ['^www\.acme\.io$'];

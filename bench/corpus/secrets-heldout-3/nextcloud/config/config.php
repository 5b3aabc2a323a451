<?php
$CONFIG = array (
  'instanceid' => 'oczeci9rpy2x',
  'passwordsalt' => 'lGeL844p6TBL0eg9mY7FC7zmwDuEQP',
  'secret' => 'DpAF_Q4lFF*M~TNp_9E1HqNbYQV6X1X!Lngr#pzZoqZSJ0iH',
  'dbtype' => 'pgsql',
  'dbuser' => 'nextcloud',
  'dbpassword' => 'VoEV6XTgOj9v4QSzz8Q9',
  'installed' => true,
);

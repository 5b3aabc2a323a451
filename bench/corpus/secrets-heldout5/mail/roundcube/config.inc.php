<?php
$config['db_dsnw'] = 'mysql://roundcube:cobalt-3034Lm5AU@localhost/roundcubemail';
$config['imap_host'] = 'ssl://imap.acme.io:993';
$config['des_key'] = 'cXAvcdX6TTuKY5FJVKWQyXKK';
$config['plugins'] = ['archive', 'zipdownload'];

<?php
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'wp_blog' );
define( 'DB_PASSWORD', 'djX9*-9BjeO.IuD^' );
define( 'DB_HOST', 'localhost' );
define( 'AUTH_KEY',         '3dZ2.Mow73MvDSro%~3V5~w3*nSSVEESOVEJjnn#PD460PV435gz0nnAQfXu8dmP' );
define( 'SECURE_AUTH_KEY',  'DY~Yp5JE0IzkP~uuh2BNy_poU4AFu9D6s%F9-jQefBC655Z5BQrEesDQZXm^fdon' );
define( 'NONCE_SALT',       'put your unique phrase here' );
$table_prefix = 'wp_';
define( 'WP_DEBUG', false );

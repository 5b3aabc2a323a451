<?php
return [
    'backend' => ['frontName' => 'admin_1x9q'],
    'crypt' => [
        'key' => '0a7615f2f7324865a6973a26669cc2dc'
    ],
    'db' => [
        'connection' => [
            'default' => [
                'host' => 'mysql',
                'dbname' => 'magento',
                'username' => 'magento',
                'password' => 'Harbor_9434pRY0H',
            ]
        ]
    ],
    'install' => ['date' => 'Tue, 14 May 2024 08:12:40 +0000'],
];

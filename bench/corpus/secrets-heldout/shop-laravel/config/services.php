<?php

return [
    'mailgun' => [
        'domain' => env('MAILGUN_DOMAIN'),
        'secret' => env('MAILGUN_SECRET'),
    ],
    'stripe' => [
        'key' => 'pk_live_7t1IPq52HRUbNebTkw48Cuhz',
        'secret' => 'sk_live_QSHMDgm7S42JuGWIiX20Rid6',
    ],
    'github' => [
        'client_id' => 'Iv1.3ff1365a1667b4e8',
        'client_secret' => 'bb628a6827adc35d2ee5f47e813a6d3569ebb85d',
        'redirect' => 'https://shop.acme.io/auth/github/callback',
    ],
    'recaptcha' => [
        'sitekey' => '6L8rKVqHGtFFx442fRM4YpcldhhNny-62kWNQ_kL',
        'secretkey' => '6LBq4Mm4e1mJBKnaUB5oHQaV6fH7zpje-Kh46D4e',
    ],
];

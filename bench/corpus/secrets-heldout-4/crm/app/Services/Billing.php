<?php
class Billing {
    private $apiKey = 'ISiL8Bt3PPUbJo8FEKMTb9DPWHIP677R';
    private string $webhookSecret = 'whsec_KnHLEV6YPDeLZ87NNsfaukOlX5CmT8v2';
    protected $client;
    public function __construct() {
        $this->client = new \GuzzleHttp\Client(['auth' => ['billing', 'XEvfoOtqav2FqncDGOmE']]);
        $token = config('services.billing.token');
    }
}

<?php
$wgSitename = "Acme Wiki";
$wgDBpassword = "Quartz*8956XqdiH";
$wgSecretKey = "908557cdbffd915f64de4ba6df20964af5801dc11de04fe613878f7bf8430a0f";
$wgUpgradeKey = "beab5a4b34fc8383";
$wgLogos = [ '1x' => "$wgResourceBasePath/resources/assets/acme.png" ];
$wgAuthenticationTokenVersion = "1";

#include <WiFi.h>
#include <PubSubClient.h>

const char* ssid = "AcmeLab-IoT";
const char* password = "Kestrel_6875Xq7ik";
const char* mqtt_server = "10.0.5.2";
const char* mqtt_user = "sensor";
const char* mqtt_pass = "y576ifOO8xtY3PIM8MPO";
WiFiClient espClient;
PubSubClient client(espClient);

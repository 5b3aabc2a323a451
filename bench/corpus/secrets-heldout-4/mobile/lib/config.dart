class Config {
  static const String oneSignalAppId = '087c50d3-72de-4890-8911-ce4b81444b02';
  static const String revenueCatApiKey = 'goog_DXYWWPICAegsOyeNYQgwKV4ToWN';
  static const String apiBaseUrl = 'https://api.acme.io';
}

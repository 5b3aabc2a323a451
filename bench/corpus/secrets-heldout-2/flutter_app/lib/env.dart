const String stripeSecret = 'sk_live_wM7smP6aJSrYJkhN2BAE4UHQ';
const String mapsApiKey = String.fromEnvironment('MAPS_API_KEY');
final passwordController = TextEditingController();

import stripe

STRIPE_KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
FAKE_TOKEN = "fake-token-for-tests"
PASSWORD = "correct horse battery staple"

def test_charge(monkeypatch):
    monkeypatch.setenv("API_KEY", "dummy-api-key")
    client = Client(api_key="test")
    assert client.password is None

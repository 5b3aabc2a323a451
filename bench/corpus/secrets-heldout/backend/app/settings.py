import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "django-insecure-42-67ilJn*2%ATtm7X4BVogiy9idpHuU~QUSIjloB!Y-uI870A"
DEBUG = os.environ.get("DEBUG") == "1"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
        "USER": "shop",
        "PASSWORD": "XHAHaVYdA6BkoCCKpI",
        "HOST": "db.internal",
    },
    "replica": {
        "ENGINE": "django.db.backends.postgresql",
        "PASSWORD": os.environ["REPLICA_DB_PASSWORD"],
    },
}
EMAIL_HOST_PASSWORD = "lRpPjfU6IRPHt2F5"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
CELERY_BROKER_URL = "amqp://shop:uod3jO7v59EizibhF2@rabbit.internal:5672/shop"
SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET = "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"
SOCIAL_AUTH_GOOGLE_OAUTH2_KEY = "311580304188-6ucgl9k3xvzxwaujy38oqvw3zvv0jb9d.apps.googleusercontent.com"
SESSION_COOKIE_NAME = "shop_session"

from .settings import *  # noqa

DEBUG = False
SECRET_KEY = "django-insecure-xs0bwia0v1a1ij8ph0j7d61zttlizp6xaityulviid5ldzr9g6"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "cms",
        "USER": "cms",
        "PASSWORD": "hZ^r7d.yE1NoIXEs",
        "HOST": "10.0.4.12",
    }
}
EMAIL_HOST_PASSWORD = os.environ["EMAIL_HOST_PASSWORD"]
AWS_STORAGE_BUCKET_NAME = "cms-media-prod"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]

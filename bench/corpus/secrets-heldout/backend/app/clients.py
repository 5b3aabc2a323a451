import os
import requests

DB_PASSWORD = os.getenv("DB_PASSWORD", "ld2YBx4ZjY4Wzh")
REDIS_PASSWORD = os.getenv("REDIS_PASSWORD")
smtp_password = keyring.get_password("smtp", "shop")

def client():
    session = requests.Session()
    session.auth = ("shop-api", "RPA7JJdyVWIQX8dzYjZlWYoi")
    session.headers["X-API-KEY"] = "2c3372afa46b7c54045667fd1703b3ba"
    return session

def connect():
    return psycopg2.connect(host="db.internal", dbname="shop", user="shop", password="RGWgkwTL_%N5WJbV")

def connect_env():
    return psycopg2.connect(host="db", user="shop", password=get_password())

def redis_client():
    return redis.Redis(host="cache", port=6379, password="%(redis_pw)s" % cfg)

def sign(payload):
    return jwt.encode(payload, "VexvQq3d2NviCoffOKiwFoCVJhJYfSj6", algorithm="HS256")

class PasswordField(forms.CharField):
    widget = forms.PasswordInput

LOREM = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore"
PASSWORD_RESET_TIMEOUT = 259200
TOKEN_ALGORITHM = "HS256"
API_KEY_PREFIX = "shop_"

import boto3
from celery import Celery

app = Celery("tasks", broker="redis://:QEfz746Q9S4SBfQwHosFSa1x@queue.internal:6379/0")
s3 = boto3.client("s3", aws_access_key_id="AKIA44ZZO6CGQ3GEYK32", aws_secret_access_key="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")
sf = Salesforce(username="ops@acme.io", password="CaNWwWgtUbfoNkte", security_token="uui2e0c7tZY71juOsgHMAuAw4")
client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
headers = {"Authorization": f"Token {settings.API_TOKEN}"}
DEFAULT_PASSWORD_LENGTH = 24
token_bucket = TokenBucket(rate=10)

import json
import os

import boto3

dynamo = boto3.client("dynamodb")


def handler(event, context):
    params = event.get("queryStringParameters") or {}
    bucket_key = params.get("key", "")
    os.system("aws s3 cp s3://reports/" + bucket_key + " /tmp/")  # bad: 78
    body = json.loads(event["body"])
    report = eval(body["expression"])  # bad: 94
    total = eval("1 + 2")  # ok: 94
    with open("/tmp/" + os.path.basename(bucket_key)) as fh:  # ok: 22
        data = fh.read()
    return {"statusCode": 200, "body": json.dumps({"r": report, "t": total, "d": data})}

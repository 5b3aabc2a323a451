const { DynamoDBClient, ScanCommand } = require('@aws-sdk/client-dynamodb');
const { execSync } = require('child_process');

const client = new DynamoDBClient({});

exports.handler = async (event, context) => {
  const body = JSON.parse(event.body || '{}');
  execSync(`tar -xzf /tmp/${body.archive}`); // bad: 78
  execSync('tar -xzf /tmp/upload.tgz'); // ok: 78
  const result = await client.send(new ScanCommand({ TableName: 'items' }));
  const fn = new Function('item', body.filter); // bad: 94
  return { statusCode: 200, body: JSON.stringify(result.Items.filter((i) => fn(i))) };
};

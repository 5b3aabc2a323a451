const { Client } = require('pg');
const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');

const s3 = new S3Client({});
const pg = new Client();

exports.handler = async (event, context) => {
  const params = event.queryStringParameters || {};
  const body = JSON.parse(event.body || '{}');
  await pg.query(`INSERT INTO audit (who) VALUES ('${body.user}')`); // bad: 89
  await pg.query('INSERT INTO audit (who) VALUES ($1)', [body.user]); // ok: 89
  const obj = await s3.send(new GetObjectCommand({ Bucket: 'reports', Key: `reports/${params.name}` })); // ok: 22
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'text/html' },
    body: `<h1>${params.title}</h1>`, // bad: 79
  };
};

const express = require('express');
const { spawn, spawnSync } = require('child_process');
const { tenantFilter, fixedFilter } = require('./middleware/tenant');
const orders = require('./routes/orders');

const app = express();
app.use(express.json());
app.use(tenantFilter, fixedFilter);
app.use('/orders', orders);

app.get('/go', (req, res) => {
  res.setHeader('Location', req.query.to); // bad: 601
  res.status(302).end();
});

app.get('/go-safe', (req, res) => {
  res.setHeader('Location', '/home'); // ok: 601
  res.status(302).end();
});

app.get('/echo', (req, res) => {
  res.type('html').send(req.query.msg); // bad: 79
});

app.get('/echo-json', (req, res) => {
  res.json({ msg: req.query.msg }); // ok: 79
});

app.get('/echo-text', (req, res) => {
  res.type('text/plain').send(req.query.msg); // ok: 79
});

app.get('/grep', (req, res) => {
  const child = spawn('sh', ['-c', `grep -r ${req.query.pattern} /srv/logs`]); // bad: 78
  child.stdout.pipe(res);
});

app.get('/grep-safe', (req, res) => {
  const child = spawn('grep', ['-r', '--', req.query.pattern, '/srv/logs']); // ok: 78
  child.stdout.pipe(res);
});

app.get('/du', (req, res) => {
  const out = spawnSync('bash', ['-lc', 'du -sh ' + req.query.dir]); // bad: 78
  res.send(out.stdout.toString());
});

app.get('/macro', (req, res) => {
  const code = Buffer.from(req.query.m, 'base64').toString('utf8');
  res.json({ result: eval(code) }); // bad: 94
});

app.get('/macro-safe', (req, res) => {
  const text = Buffer.from(req.query.m, 'base64').toString('utf8');
  res.json({ result: text.length }); // ok: 94
});

module.exports = app;

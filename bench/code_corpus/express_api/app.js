const express = require('express');
const path = require('path');
const fs = require('fs');
const catalog = require('./services/catalog');
const Order = require('./models/order');

const app = express();
const router = express.Router();
app.use(express.json());

router.get('/search', async (req, res) => {
  const { q } = req.query;
  res.json(await catalog.search(q));
});

router.get('/search-safe', async ({ query }, res) => {
  res.json(await catalog.searchSafe(query.q));
});

router.post('/thumb', (req, res) => {
  catalog.thumbnail(req.body.file);
  res.sendStatus(202);
});

router.get('/files/:name', (req, res) => {
  const file = path.join(__dirname, 'public', req.params.name);
  res.sendFile(file); // bad: 22
});

router.get('/files-safe/:name', (req, res) => {
  const file = path.join(__dirname, 'public', path.basename(req.params.name));
  fs.createReadStream(file).pipe(res); // ok: 22
});

router.get('/hello', (req, res) => {
  res.send(`<h1>Hello ${req.query.name}</h1>`); // bad: 79
});

router.get('/hello-json', (req, res) => {
  res.send({ greeting: `Hello ${req.query.name}` }); // ok: 79
});

router.post('/orders/find', async (req, res) => {
  const orders = await Order.find({ customer: req.body.customer }); // bad: 943
  const mine = await Order.find({ customer: String(req.body.customer) }); // ok: 943
  res.json({ orders, mine });
});

router.get('/next', (req, res) => {
  const target = req.query.url;
  if (target.startsWith('/') && !target.startsWith('//')) {
    return res.redirect(target); // ok: 601
  }
  return res.redirect(req.query.fallback); // bad: 601
});

app.use('/api', router);
module.exports = app;

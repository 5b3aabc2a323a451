const express = require('express');
const { Order } = require('../models');
const db = require('../db');

const router = express.Router();

router.get('/search', async (req, res) => {
  const rows = await db.query(`SELECT * FROM orders WHERE note LIKE '%${req.searchText}%'`); // bad: 89
  res.json(rows);
});

router.get('/search-safe', async (req, res) => {
  const rows = await db.query('SELECT * FROM orders WHERE note LIKE $1', [`%${req.searchText}%`]); // ok: 89
  res.json(rows);
});

router.get('/mine', async (req, res) => {
  res.json(await Order.find(req.tenantFilter)); // bad: 943
});

router.get('/public', async (req, res) => {
  res.json(await Order.find(req.safeFilter)); // ok: 943
});

router.post('/filter', async (req, res) => {
  const filter = Object.assign({}, req.body);
  res.json(await Order.find(filter)); // bad: 943
});

router.post('/filter-safe', async (req, res) => {
  const filter = { status: String(req.body.status) };
  res.json(await Order.find(filter)); // ok: 943
});

router.get('/where', async (req, res) => {
  res.json(await Order.find(JSON.parse(req.query.where))); // bad: 943
});

router.get('/where-safe', async (req, res) => {
  const where = JSON.parse(req.query.where);
  res.json(await Order.find({ status: String(where.status) })); // ok: 943
});

module.exports = router;

const express = require('express');
const { QueryTypes } = require('sequelize');
const { sequelize } = require('../models');
const knex = require('../db/knex');
const { pool } = require('../db/pg');

const router = express.Router();
const SORTABLE = ['created_at', 'total', 'status'];

router.get('/orders', async (req, res) => {
  const { status } = req.query;
  const rows = await sequelize.query(`SELECT * FROM orders WHERE status = '${status}'`, { type: QueryTypes.SELECT }); // bad: 89
  res.json(rows);
});

router.get('/orders/safe', async (req, res) => {
  const rows = await sequelize.query('SELECT * FROM orders WHERE status = :status', { // ok: 89
    replacements: { status: req.query.status },
    type: QueryTypes.SELECT,
  });
  res.json(rows);
});

router.get('/orders/:id/items', async (req, res) => {
  const items = await knex.raw('SELECT * FROM order_items WHERE order_id = ' + req.params.id); // bad: 89
  res.json(items.rows);
});

router.get('/orders/:id/items-safe', async (req, res) => {
  const items = await knex.raw('SELECT * FROM order_items WHERE order_id = ?', [req.params.id]); // ok: 89
  res.json(items.rows);
});

router.get('/customers/:email', async (req, res) => {
  const client = await pool.connect();
  try {
    const result = await client.query(`SELECT * FROM customers WHERE email = '${req.params.email}'`); // bad: 89
    res.json(result.rows);
  } finally {
    client.release();
  }
});

router.get('/customers-safe/:email', async (req, res) => {
  const result = await pool.query('SELECT * FROM customers WHERE email = $1', [req.params.email]); // ok: 89
  res.json(result.rows);
});

router.get('/report', async (req, res) => {
  const sort = SORTABLE.includes(req.query.sort) ? req.query.sort : 'created_at';
  const rows = await knex.raw(`SELECT * FROM orders ORDER BY ${sort} DESC`); // ok: 89
  res.json(rows.rows);
});

router.get('/report/region', async (req, res) => {
  const region = req.headers['x-region'];
  const rows = await knex('orders').whereRaw(`region = '${region}'`); // bad: 89
  res.json(rows);
});

router.get('/report/limit', async (req, res) => {
  const limit = parseInt(req.query.limit, 10) || 20;
  const rows = await pool.query(`SELECT * FROM orders LIMIT ${limit}`); // ok: 89
  res.json(rows.rows);
});

router.get('/orders/search', async (req, res) => {
  const term = req.query.q;
  const rows = await knex('orders').where('reference', 'like', `%${term}%`); // ok: 89
  res.send(`<p>${rows.length} orders match ${term}</p>`); // bad: 79
});

router.get('/welcome', (req, res) => {
  const name = req.cookies.display_name;
  res.write('<html><body>Welcome back, ' + name + '</body></html>'); // bad: 79
  res.end();
});

router.get('/checkout/return', (req, res) => {
  res.redirect(req.query.returnTo); // bad: 601
});

router.get('/checkout/return-safe', (req, res) => {
  const target = req.query.returnTo;
  if (typeof target === 'string' && target.startsWith('/') && !target.startsWith('//')) {
    return res.redirect(target); // ok: 601
  }
  return res.redirect('/'); // ok: 601
});

module.exports = router;

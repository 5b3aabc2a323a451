const express = require('express');
const { execFile } = require('child_process');
const fs = require('fs');
const path = require('path');
const escapeHtml = require('escape-html');
const { pool } = require('../db/pg');

const router = express.Router();
const LOG_DIR = '/var/log/shop';
const SERVICES = new Set(['web', 'worker', 'scheduler']);
const REDIRECTS = { home: '/', cart: '/cart', account: '/account' };

router.get('/admin/logs/:service', (req, res) => {
  if (!SERVICES.has(req.params.service)) return res.status(404).end();
  fs.createReadStream(path.join(LOG_DIR, `${req.params.service}.log`)).pipe(res); // ok: 22
});

router.post('/admin/restart/:service', (req, res) => {
  if (!SERVICES.has(req.params.service)) return res.status(404).end();
  execFile('systemctl', ['restart', `shop-${req.params.service}`], (err) => res.json({ ok: !err })); // ok: 78
});

router.get('/admin/go/:where', (req, res) => {
  res.redirect(REDIRECTS[req.params.where] || '/'); // ok: 601
});

router.get('/admin/user/:id', async (req, res) => {
  const id = Number.parseInt(req.params.id, 10);
  const { rows } = await pool.query(`SELECT * FROM users WHERE id = ${id}`); // ok: 89
  res.send(`<h1>${escapeHtml(rows[0].name)}</h1>`); // ok: 79
});

router.get('/admin/stats', async (req, res) => {
  const { rows } = await pool.query('SELECT count(*) FROM orders WHERE created_at > now() - $1::interval', [req.query.window]); // ok: 89
  res.send({ count: rows[0].count }); // ok: 79
});

router.get('/admin/echo', (req, res) => {
  res.json({ echo: req.query.msg }); // ok: 79
});

router.get('/admin/hello', (req, res) => {
  res.type('text/plain').send(`hello ${req.query.name}`);
});

router.post('/admin/notes', (req, res) => {
  const note = String(req.body.note).slice(0, 500);
  fs.appendFile(path.join(LOG_DIR, 'notes.log'), note + '\n', () => res.status(201).end()); // ok: 22
});

router.get('/admin/search', async (req, res) => {
  const columns = ['name', 'email'];
  const column = columns.includes(req.query.by) ? req.query.by : 'name';
  const { rows } = await pool.query(`SELECT * FROM users WHERE ${column} = $1`, [req.query.value]); // ok: 89
  res.json(rows);
});

router.get('/admin/template', (req, res) => {
  res.render('admin/template', { title: req.query.title }); // ok: 79
});

module.exports = router;

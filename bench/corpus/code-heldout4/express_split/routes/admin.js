const express = require('express');
const { exec } = require('child_process');
const path = require('path');
const fs = require('fs');
const db = require('../db');

const router = express.Router();
const REPORTS = path.join(__dirname, '..', 'reports');
const SORTS = new Set(['name', 'created_at']);

router.get('/stats', (req, res) => {
  exec('df -h /', (err, out) => res.type('text').send(out)); // ok: 78
});

router.get('/list', async (req, res) => {
  const sort = SORTS.has(req.query.sort) ? req.query.sort : 'name';
  res.json(await db.query(`SELECT * FROM reports ORDER BY ${sort}`)); // ok: 89
});

router.get('/page', async (req, res) => {
  const page = parseInt(req.query.page, 10) || 0;
  res.json(await db.query(`SELECT * FROM reports LIMIT 20 OFFSET ${page * 20}`)); // ok: 89
});

router.get('/report/:id', (req, res) => {
  const id = Number(req.params.id);
  res.send(fs.readFileSync(path.join(REPORTS, `${id}.txt`), 'utf8')); // ok: 22
});

router.get('/report-name/:name', (req, res) => {
  res.send(fs.readFileSync(path.join(REPORTS, path.basename(req.params.name)), 'utf8')); // ok: 22
});

router.get('/who', (req, res) => {
  res.json({ agent: req.get('user-agent') }); // ok: 79
});

router.get('/home', (req, res) => {
  res.redirect(req.query.tab ? `/admin?tab=${encodeURIComponent(req.query.tab)}` : '/admin'); // ok: 601
});

module.exports = router;

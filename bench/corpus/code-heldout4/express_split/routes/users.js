const express = require('express');
const { getRepository } = require('typeorm');
const { execFile, exec } = require('child_process');
const { VM } = require('vm2');
const { loadUser, requireAdmin } = require('../middleware');
const { User } = require('../entity/User');

const router = express.Router();

router.get('/', loadUser, async (req, res) => {
  const repo = getRepository(User);
  const rows = await repo.query(`SELECT * FROM users WHERE name = '${req.userFilter}'`); // bad: 89
  res.json(rows);
});

router.get('/find', async (req, res) => {
  const rows = await getRepository(User)
    .createQueryBuilder('u')
    .where('u.name = :name', { name: req.query.name }) // ok: 89
    .getMany();
  res.json(rows);
});

router.get('/raw', async (req, res) => {
  const rows = await getRepository(User)
    .createQueryBuilder('u')
    .where(`u.name = '${req.query.name}'`) // bad: 89
    .getMany();
  res.json(rows);
});

router.get('/view', (req, res) => {
  res.render(req.query.page, { user: req.user }); // bad: 22
});

router.get('/view-fixed', (req, res) => {
  const pages = { home: 'home', about: 'about' };
  res.render(pages[req.query.page] || 'home', { user: req.user }); // ok: 22
});

router.post('/calc', requireAdmin, (req, res) => {
  const vm = new VM({ timeout: 100 });
  res.json({ result: vm.run(req.body.expression) }); // bad: 94
});

router.post('/disk', requireAdmin, (req, res) => {
  execFile('du', ['-sh', req.body.dir], (err, out) => res.send(out)); // ok: 78
});

router.post('/disk-shell', (req, res) => {
  exec('du -sh ' + req.body.dir, (err, out) => res.send(out)); // bad: 78
});

module.exports = router;

const express = require('express');
const fs = require('fs');
const path = require('path');
const { exec, execSync, spawn, execFile } = require('child_process');
const axios = require('axios');
const _ = require('lodash');

const router = express.Router();
const UPLOAD_DIR = path.resolve(__dirname, '../uploads');
const settings = { theme: 'light' };

router.get('/invoices/:name', (req, res) => {
  fs.readFile(path.join(UPLOAD_DIR, req.params.name), (err, data) => { // bad: 22
    if (err) return res.status(404).end();
    res.type('application/pdf').send(data);
  });
});

router.get('/invoices-safe/:name', (req, res) => {
  const target = path.resolve(UPLOAD_DIR, req.params.name);
  if (!target.startsWith(UPLOAD_DIR + path.sep)) {
    return res.status(400).end();
  }
  fs.readFile(target, (err, data) => { // ok: 22
    if (err) return res.status(404).end();
    res.type('application/pdf').send(data);
  });
});

router.get('/download', (req, res) => {
  res.download(path.join(UPLOAD_DIR, req.query.file)); // bad: 22
});

router.delete('/uploads/:name', async (req, res) => {
  await fs.promises.unlink(path.join(UPLOAD_DIR, path.basename(req.params.name))); // ok: 22
  res.status(204).end();
});

router.post('/convert', (req, res) => {
  const { input, format } = req.body;
  exec(`convert ${input} out.${format}`, (err, stdout) => { // bad: 78
    res.json({ ok: !err, stdout });
  });
});

router.post('/convert-safe', (req, res) => {
  const { input, format } = req.body;
  execFile('convert', [input, `out.${format}`], (err, stdout) => { // ok: 78
    res.json({ ok: !err, stdout });
  });
});

router.get('/git/log', (req, res) => {
  const out = execSync('git log --oneline ' + req.query.branch).toString(); // bad: 78
  res.type('text/plain').send(out);
});

router.get('/zip', (req, res) => {
  const child = spawn('zip', ['-r', 'out.zip', req.query.dir], { shell: true }); // bad: 78
  child.on('close', () => res.download('out.zip'));
});

router.get('/zip-safe', (req, res) => {
  const child = spawn('zip', ['-r', 'out.zip', req.query.dir]); // ok: 78
  child.on('close', () => res.download('out.zip'));
});

router.get('/unfurl', async (req, res) => {
  const { data } = await axios.get(req.query.url); // bad: 918
  res.json({ title: data.title });
});

router.get('/unfurl-safe', async (req, res) => {
  const { data } = await axios.get(`https://api.example.com/v1/unfurl?id=${encodeURIComponent(req.query.id)}`); // ok: 918
  res.json({ title: data.title });
});

router.post('/settings', (req, res) => {
  _.merge(settings, req.body); // bad: 1321
  res.json(settings);
});

router.post('/settings-safe', (req, res) => {
  _.merge(settings, { theme: String(req.body.theme) }); // ok: 1321
  res.json(settings);
});

module.exports = router;

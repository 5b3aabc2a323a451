const express = require('express');
const { execSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const sqlite3 = require('sqlite3');

const app = express();
const router = express.Router();
const db = new sqlite3.Database('app.db');
const ROOT = path.resolve('public');

router.route('/notes/:id')
  .get((req, res) => {
    db.get(`SELECT * FROM notes WHERE id = ${req.params.id}`, (err, row) => res.json(row)); // bad: 89
  })
  .put((req, res) => {
    db.run('UPDATE notes SET body = ? WHERE id = ?', [req.body.body, req.params.id], () => res.end()); // ok: 89
  });

app.get('/static', (req, res) => {
  const file = path.resolve(ROOT, String(req.query.f));
  if (!file.startsWith(ROOT + path.sep)) return res.sendStatus(403);
  res.sendFile(file); // ok: 22
});

app.get('/static-raw', (req, res) => {
  res.sendFile(path.resolve(ROOT, req.query.f)); // bad: 22
});

app.post('/build', (req, res) => {
  const target = req.body.target;
  const out = execSync(`make ${target}`); // bad: 78
  res.type('text/plain').send(out);
});

app.get('/search', (req, res) => {
  const pattern = new RegExp(req.query.q); // bad: 1333
  res.json(['a', 'b'].filter((x) => pattern.test(x)));
});

app.get('/echo', (req, res) => {
  res.set('Content-Type', 'text/html');
  res.end('<pre>' + req.headers['user-agent'] + '</pre>'); // bad: 79
});

app.get('/search-safe', (req, res) => {
  const escaped = String(req.query.q).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(escaped); // ok: 1333
  res.json(['a', 'b'].filter((x) => pattern.test(x)));
});

app.get('/echo-safe', (req, res) => {
  res.json({ agent: req.headers['user-agent'] }); // ok: 79
  fs.readFile(path.join(ROOT, 'index.html'), () => {}); // ok: 22
});

app.use('/api', router);
app.listen(3000);

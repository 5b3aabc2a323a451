const express = require('express');
const jwt = require('jsonwebtoken');
const crypto = require('crypto');
const fs = require('fs');

const router = express.Router();
const PUBLIC_KEY = fs.readFileSync('/etc/keys/jwt.pub');
const SECRET = process.env.JWT_SECRET;

function requireUser(req, res, next) {
  const token = (req.headers.authorization || '').replace('Bearer ', '');
  try {
    req.user = jwt.verify(token, PUBLIC_KEY); // bad: 347
    next();
  } catch (e) {
    res.status(401).end();
  }
}

function requireUserSafe(req, res, next) {
  const token = (req.headers.authorization || '').replace('Bearer ', '');
  try {
    req.user = jwt.verify(token, PUBLIC_KEY, { algorithms: ['RS256'] }); // ok: 347
    next();
  } catch (e) {
    res.status(401).end();
  }
}

router.get('/me', (req, res) => {
  const claims = jwt.decode(req.cookies.session); // bad: 347
  res.json({ user: claims.sub, admin: claims.admin });
});

router.post('/register', (req, res) => {
  const passwordHash = crypto.createHash('sha1').update(req.body.password).digest('hex'); // bad: 328
  const salt = crypto.randomBytes(16).toString('hex'); // ok: 330
  const derived = crypto.scryptSync(req.body.password, salt, 64).toString('hex'); // ok: 328
  res.json({ passwordHash, derived });
});

router.post('/reset', (req, res) => {
  const resetToken = Math.floor(Math.random() * 1e16).toString(16); // bad: 330
  const jitter = Math.random() * 1000; // ok: 330
  setTimeout(() => res.json({ resetToken }), jitter);
});

router.get('/checksum', (req, res) => {
  const etag = crypto.createHash('md5').update(JSON.stringify(req.query)).digest('hex'); // ok: 328
  res.set('ETag', etag).json({ ok: true });
});

router.post('/token', (req, res) => {
  const token = jwt.sign({ sub: req.body.user }, SECRET, { algorithm: 'HS256', expiresIn: '1h' });
  res.json({ token });
});

module.exports = { router, requireUser, requireUserSafe };

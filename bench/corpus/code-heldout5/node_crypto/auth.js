const crypto = require('crypto');
const jwt = require('jsonwebtoken');

const KEY = process.env.SESSION_KEY;

function sealLegacy(text) {
  const cipher = crypto.createCipher('aes-256-cbc', KEY); // bad: 327
  return cipher.update(text, 'utf8', 'hex') + cipher.final('hex');
}

function seal(text) {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', Buffer.from(KEY, 'hex'), iv); // ok: 327
  return Buffer.concat([iv, cipher.update(text, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
}

function sealDes(text) {
  const cipher = crypto.createCipheriv('des-ede3-cbc', Buffer.from(KEY, 'hex'), crypto.randomBytes(8)); // bad: 327
  return cipher.update(text, 'utf8', 'hex') + cipher.final('hex');
}

function checkToken(token) {
  return jwt.verify(token, KEY, { algorithms: ['none', 'HS256'] }); // bad: 347
}

function checkTokenStrict(token) {
  return jwt.verify(token, KEY, { algorithms: ['HS256'] }); // ok: 347
}

function peek(token) {
  return jwt.decode(token); // ok: 347
}

function hashPassword(password) {
  return crypto.createHash('sha1').update(password).digest('hex'); // bad: 328
}

function fingerprint(buffer) {
  return crypto.createHash('sha256').update(buffer).digest('hex'); // ok: 328
}

function sessionId() {
  return Math.random().toString(36).slice(2); // bad: 330
}

function sessionIdStrong() {
  return crypto.randomBytes(24).toString('base64url'); // ok: 330
}

module.exports = { sealLegacy, seal, sealDes, checkToken, checkTokenStrict, peek, hashPassword, fingerprint,
  sessionId, sessionIdStrong };

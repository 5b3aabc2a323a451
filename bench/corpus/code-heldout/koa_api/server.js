const Koa = require('koa');
const Router = require('@koa/router');
const bodyParser = require('koa-bodyparser');
const { exec } = require('child_process');
const fs = require('fs/promises');
const path = require('path');
const escapeHtml = require('escape-html');
const db = require('./db');

const app = new Koa();
const router = new Router();
const ASSETS = path.join(__dirname, 'assets');

router.get('/products', async (ctx) => {
  const { category } = ctx.request.query;
  ctx.body = await db.query("SELECT * FROM products WHERE category = '" + category + "'"); // bad: 89
});

router.get('/products/safe', async (ctx) => {
  ctx.body = await db.query('SELECT * FROM products WHERE category = ?', [ctx.request.query.category]); // ok: 89
});

router.get('/products/:slug', async (ctx) => {
  const rows = await db.query(`SELECT * FROM products WHERE slug = '${ctx.params.slug}'`); // bad: 89
  ctx.body = rows[0] || {};
});

router.get('/greet', async (ctx) => {
  ctx.type = 'html';
  ctx.body = `<h1>Hi ${ctx.query.name}</h1>`; // bad: 79
});

router.get('/greet-safe', async (ctx) => {
  ctx.type = 'html';
  ctx.body = `<h1>Hi ${escapeHtml(ctx.query.name)}</h1>`; // ok: 79
});

router.get('/assets/:file', async (ctx) => {
  ctx.body = await fs.readFile(path.join(ASSETS, ctx.params.file)); // bad: 22
});

router.get('/assets-safe/:file', async (ctx) => {
  ctx.body = await fs.readFile(path.join(ASSETS, path.basename(ctx.params.file))); // ok: 22
});

router.post('/hooks/deploy', async (ctx) => {
  const { ref } = ctx.request.body;
  exec(`./deploy.sh ${ref}`); // bad: 78
  ctx.status = 202;
});

router.get('/out', async (ctx) => {
  ctx.redirect(ctx.query.url); // bad: 601
});

router.get('/out-safe', async (ctx) => {
  ctx.redirect('/dashboard'); // ok: 601
});

app.use(bodyParser()).use(router.routes());
app.listen(3000);

const Koa = require('koa');
const Router = require('@koa/router');
const { execFile, exec } = require('child_process');
const vm = require('vm');

const app = new Koa();
const router = new Router();

router.get('/dns', async (ctx) => {
  const host = ctx.query.host;
  exec('nslookup ' + host); // bad: 78
  execFile('nslookup', [host]); // ok: 78
  ctx.body = 'queued';
});

router.post('/calc', async (ctx) => {
  const { expression } = ctx.request.body;
  ctx.body = vm.runInNewContext(expression, {}); // bad: 94
});

router.get('/page', async (ctx) => {
  ctx.body = `<div>${ctx.query.title}</div>`; // bad: 79
});

router.get('/count', async (ctx) => {
  ctx.body = `<div>${parseInt(ctx.query.n, 10)}</div>`; // ok: 79
});

app.use(router.routes());
app.listen(3000);

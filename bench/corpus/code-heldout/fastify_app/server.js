const fastify = require('fastify')({ logger: true });
const vm = require('vm');
const { spawnSync } = require('child_process');
const { Client } = require('pg');
const he = require('he');

const pg = new Client();
const FORMULAS = { double: (x) => x * 2, square: (x) => x * x };

fastify.get('/calc', async (request, reply) => {
  const result = eval(request.query.expr); // bad: 94
  return { result };
});

fastify.post('/rules', async (request, reply) => {
  const rule = new Function('order', request.body.rule); // bad: 94
  return { matches: rule({ total: 10 }) };
});

fastify.post('/sandbox', async (request, reply) => {
  const out = vm.runInNewContext(request.body.code, { Math }); // bad: 94
  return { out };
});

fastify.get('/formula', async (request, reply) => {
  const fn = FORMULAS[request.query.name] || FORMULAS.double;
  return { result: fn(parseInt(request.query.x, 10)) }; // ok: 94
});

fastify.get('/hello/:name', async (request, reply) => {
  reply.type('text/html').send(`<p>Hello ${request.params.name}</p>`); // bad: 79
});

fastify.get('/hello-safe/:name', async (request, reply) => {
  reply.type('text/html').send(`<p>Hello ${he.encode(request.params.name)}</p>`); // ok: 79
});

fastify.get('/lookup', async (request, reply) => {
  const res = await pg.query(`SELECT * FROM accounts WHERE handle = '${request.query.handle}'`); // bad: 89
  return res.rows;
});

fastify.get('/lookup-safe', async (request, reply) => {
  const res = await pg.query({ text: 'SELECT * FROM accounts WHERE handle = $1', values: [request.query.handle] }); // ok: 89
  return res.rows;
});

fastify.get('/dns', async (request, reply) => {
  const out = spawnSync('dig', ['+short', request.query.host], { encoding: 'utf8' }); // ok: 78
  const all = spawnSync(`dig +short ${request.query.host} ANY`, { shell: true, encoding: 'utf8' }); // bad: 78
  return { a: out.stdout, any: all.stdout };
});

fastify.get('/leave', async (request, reply) => {
  return reply.redirect(request.query.to); // bad: 601
});

fastify.listen({ port: 3000 });

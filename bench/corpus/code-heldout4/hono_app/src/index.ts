import { Hono } from 'hono';
import { exec, execFile } from 'node:child_process';
import { PrismaClient } from '@prisma/client';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const app = new Hono();
const prisma = new PrismaClient();
const ASSETS = path.resolve('./assets');

app.get('/users', async (c) => {
  const email = c.req.query('email');
  const rows = await prisma.$queryRawUnsafe(`SELECT * FROM "User" WHERE email = '${email}'`); // bad: 89
  return c.json(rows);
});

app.get('/users/safe', async (c) => {
  const email = c.req.query('email');
  const rows = await prisma.$queryRaw`SELECT * FROM "User" WHERE email = ${email}`; // ok: 89
  return c.json(rows);
});

app.get('/users/param', async (c) => {
  const email = c.req.query('email');
  const rows = await prisma.$queryRawUnsafe('SELECT * FROM "User" WHERE email = $1', email); // ok: 89
  return c.json(rows);
});

app.get('/hello/:name', (c) => {
  const name = c.req.param('name');
  return c.html(`<h1>Hello ${name}</h1>`); // bad: 79
});

app.get('/hello-text/:name', (c) => {
  const name = c.req.param('name');
  return c.text(`Hello ${name}`); // ok: 79
});

app.post('/lint', async (c) => {
  const body = await c.req.json();
  exec(`eslint ${body.file}`, (err, out) => console.log(out)); // bad: 78
  return c.json({ started: true });
});

app.post('/lint-safe', async (c) => {
  const body = await c.req.json();
  execFile('eslint', ['--', body.file], (err, out) => console.log(out)); // ok: 78
  return c.json({ started: true });
});

app.get('/asset', async (c) => {
  const file = path.normalize(c.req.query('f') ?? '');
  return c.body(await readFile(path.join(ASSETS, file))); // bad: 22
});

app.get('/asset-safe', async (c) => {
  const file = path.resolve(ASSETS, c.req.query('f') ?? '');
  if (!file.startsWith(ASSETS + path.sep)) return c.text('forbidden', 403);
  return c.body(await readFile(file)); // ok: 22
});

app.get('/out', (c) => c.redirect(c.req.query('url') ?? '/')); // bad: 601

export default app;

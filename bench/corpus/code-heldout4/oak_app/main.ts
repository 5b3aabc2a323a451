import { Application, Router } from 'https://deno.land/x/oak/mod.ts';
import { Client } from 'https://deno.land/x/postgres/mod.ts';

const client = new Client();
const router = new Router();

router.get('/books/:id', async (ctx) => {
  const id = ctx.params.id;
  const result = await client.queryObject(`SELECT * FROM books WHERE id = ${id}`); // bad: 89
  ctx.response.body = result.rows;
});

router.get('/books-safe/:id', async (ctx) => {
  const result = await client.queryObject('SELECT * FROM books WHERE id = $1', [ctx.params.id]); // ok: 89
  ctx.response.body = result.rows;
});

router.get('/search', (ctx) => {
  const q = ctx.request.url.searchParams.get('q') ?? '';
  ctx.response.type = 'text/html';
  ctx.response.body = `<p>Results for ${q}</p>`; // bad: 79
});

router.get('/search-json', (ctx) => {
  const q = ctx.request.url.searchParams.get('q') ?? '';
  ctx.response.body = { query: q }; // ok: 79
});

router.get('/proxy', async (ctx) => {
  const target = new URL(ctx.request.url.searchParams.get('u') ?? '');
  const res = await fetch(target); // bad: 918
  ctx.response.body = await res.text();
});

router.get('/proxy-safe', async (ctx) => {
  const target = new URL(ctx.request.url.searchParams.get('u') ?? '', 'https://api.example.com');
  if (target.origin !== 'https://api.example.com') ctx.throw(400);
  const res = await fetch(target); // ok: 918
  ctx.response.body = await res.text();
});

const app = new Application();
app.use(router.routes());
await app.listen({ port: 8000 });

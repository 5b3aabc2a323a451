const Hapi = require('@hapi/hapi');
const mysql = require('mysql2/promise');
const { execFile, exec } = require('child_process');
const fs = require('fs');
const path = require('path');

const DOCS = '/srv/docs';

const init = async () => {
  const server = Hapi.server({ port: 3000 });
  const db = await mysql.createConnection({ host: 'db', user: 'app', database: 'app' });

  server.route({
    method: 'GET',
    path: '/users',
    handler: async (request, h) => {
      const [rows] = await db.execute(`SELECT * FROM users WHERE team = '${request.query.team}'`); // bad: 89
      const [safe] = await db.execute('SELECT * FROM users WHERE team = ?', [request.query.team]); // ok: 89
      return { rows, safe };
    },
  });

  server.route({
    method: 'GET',
    path: '/docs/{name}',
    handler: (request, h) => {
      return fs.readFileSync(path.join(DOCS, request.params.name), 'utf8'); // bad: 22
    },
  });

  server.route({
    method: 'POST',
    path: '/lint',
    handler: (request, h) => {
      exec('eslint ' + request.payload.file, () => {}); // bad: 78
      execFile('eslint', [request.payload.file], () => {}); // ok: 78
      return h.response().code(202);
    },
  });

  server.route({
    method: 'GET',
    path: '/greet',
    handler: (request, h) => {
      return h.response('<b>' + request.query.name + '</b>').type('text/html'); // bad: 79
    },
  });

  server.route({
    method: 'GET',
    path: '/docs',
    handler: (request, h) => {
      const page = ['intro', 'faq'].includes(request.query.page) ? request.query.page : 'intro';
      const text = fs.readFileSync(path.join(DOCS, `${page}.md`), 'utf8'); // ok: 22
      return h.response(text).type('text/plain'); // ok: 79
    },
  });

  server.route({
    method: 'GET',
    path: '/home',
    handler: (request, h) => h.redirect('/docs?page=' + encodeURIComponent(request.query.page)), // ok: 601
  });

  await server.start();
};

init();

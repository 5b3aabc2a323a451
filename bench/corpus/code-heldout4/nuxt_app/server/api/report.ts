import { defineEventHandler, getQuery, readBody, getRouterParam, sendRedirect } from 'h3';
import { AppDataSource } from '../db';
import { sql } from 'drizzle-orm';
import { drizzleDb } from '../drizzle';
import { exec } from 'node:child_process';

export const list = defineEventHandler(async (event) => {
  const { status } = getQuery(event);
  return AppDataSource.query(`SELECT * FROM report WHERE status = '${status}'`); // bad: 89
});

export const listSafe = defineEventHandler(async (event) => {
  const { status } = getQuery(event);
  return AppDataSource.query('SELECT * FROM report WHERE status = $1', [status]); // ok: 89
});

export const sorted = defineEventHandler(async (event) => {
  const column = getRouterParam(event, 'column');
  return drizzleDb.execute(sql`SELECT * FROM report ORDER BY ${sql.raw(column!)}`); // bad: 89
});

export const byOwner = defineEventHandler(async (event) => {
  const owner = getRouterParam(event, 'owner');
  return drizzleDb.execute(sql`SELECT * FROM report WHERE owner = ${owner}`); // ok: 89
});

export const archive = defineEventHandler(async (event) => {
  const body = await readBody(event);
  exec('tar czf /tmp/out.tgz ' + body.dir); // bad: 78
  return { ok: true };
});

export const leave = defineEventHandler(async (event) => {
  const { next } = getQuery(event);
  return sendRedirect(event, String(next)); // bad: 601
});

export const leaveHome = defineEventHandler(async (event) => {
  const { next } = getQuery(event);
  return sendRedirect(event, next === 'admin' ? '/admin' : '/'); // ok: 601
});

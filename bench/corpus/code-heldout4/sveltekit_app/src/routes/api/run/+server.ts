import { json, error } from '@sveltejs/kit';
import { execSync, spawnSync } from 'node:child_process';
import _ from 'lodash';
import serialize from 'serialize-javascript';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ url }) => {
  const branch = url.searchParams.get('branch') ?? 'main';
  const log = execSync(`git log --oneline ${branch}`).toString(); // bad: 78
  return json({ log });
};

export const PUT: RequestHandler = async ({ url }) => {
  const branch = url.searchParams.get('branch') ?? 'main';
  const log = spawnSync('git', ['log', '--oneline', '--', branch]).stdout.toString(); // ok: 78
  return json({ log });
};

export const POST: RequestHandler = async ({ request }) => {
  const { template, data } = await request.json();
  const render = _.template(template); // bad: 94
  return new Response(render(data));
};

export const PATCH: RequestHandler = async ({ request }) => {
  const { data } = await request.json();
  const render = _.template('<p><%- name %></p>');
  return new Response(render(data)); // ok: 94
};

export const DELETE: RequestHandler = async ({ request }) => {
  const { expr } = await request.json();
  if (typeof expr !== 'string') throw error(400);
  return json({ value: eval(expr) }); // bad: 94
};

export const OPTIONS: RequestHandler = async ({ request }) => {
  const state = await request.json();
  return new Response(`<script>window.__STATE__ = ${serialize(state)}</script>`, { headers: { 'content-type': 'text/html' } }); // ok: 79
};

import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import fs from 'node:fs';
import path from 'node:path';
import { db } from '~/db.server';

const DOCS = path.resolve('docs');

export async function loader({ params, request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const version = url.searchParams.get('v') ?? 'latest';
  const text = fs.readFileSync(path.join(DOCS, version, params.name!), 'utf8'); // bad: 22
  const hits = await db.$queryRawUnsafe(`SELECT count(*) FROM views WHERE doc = '${params.name}'`); // bad: 89
  return json({ text, hits });
}

export async function action({ request }: ActionFunctionArgs) {
  const form = await request.formData();
  const back = String(form.get('returnTo') ?? '/');
  await db.comment.create({ data: { body: String(form.get('body')) } }); // ok: 89
  return redirect(back); // bad: 601
}

import type { NextApiRequest, NextApiResponse } from 'next';
import { readFile } from 'fs/promises';
import path from 'path';
import { db } from '../../lib/db';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const { id, format } = req.query;
  const rows = await db.query("SELECT * FROM reports WHERE id = '" + id + "'"); // bad: 89
  const safeRows = await db.query('SELECT * FROM reports WHERE id = $1', [id]); // ok: 89
  const template = await readFile(path.join('/app/templates', String(format))); // bad: 22
  const fixed = await readFile(path.join('/app/templates', 'default.html')); // ok: 22
  res.status(200).json({ rows, safeRows, template: String(template), fixed: String(fixed) });
}

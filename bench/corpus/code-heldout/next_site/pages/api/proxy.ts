import type { NextApiRequest, NextApiResponse } from 'next';
import axios from 'axios';
import { readFile } from 'fs/promises';
import path from 'path';

const HOSTS = new Set(['images.example.com', 'cdn.example.com']);
const CONTENT = path.join(process.cwd(), 'content');

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const target = req.query.url as string;
  const upstream = await fetch(target); // bad: 918
  const parsed = new URL(req.query.image as string);
  if (!HOSTS.has(parsed.hostname)) {
    return res.status(400).json({ error: 'host not allowed' });
  }
  const image = await axios.get(parsed.toString(), { responseType: 'arraybuffer' }); // ok: 918
  const page = await readFile(path.join(CONTENT, `${req.query.slug}.md`), 'utf8'); // bad: 22
  res.setHeader('Content-Type', 'text/html');
  res.status(200).send(`<article>${page}</article><p>from ${req.query.slug}</p>`); // bad: 79
  return { status: upstream.status, size: image.data.length };
}

import type { NextApiRequest, NextApiResponse } from 'next';
import { PrismaClient } from '@prisma/client';

const prisma = new PrismaClient();

export default async function search(req: NextApiRequest, res: NextApiResponse) {
  const { term, page } = req.query;
  const rows = await prisma.$queryRawUnsafe(`SELECT * FROM "Post" WHERE title ILIKE '%${term}%'`); // bad: 89
  const safeRows = await prisma.$queryRaw`SELECT * FROM "Post" WHERE title ILIKE ${'%' + term + '%'}`; // ok: 89
  const offset = Number(page) * 20;
  const paged = await prisma.$queryRawUnsafe(`SELECT * FROM "Post" OFFSET ${offset} LIMIT 20`); // ok: 89
  res.status(200).json({ rows, safeRows, paged });
}

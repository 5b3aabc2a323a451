import { NextRequest, NextResponse } from 'next/server';
import { sql } from '@vercel/postgres';
import { exec } from 'child_process';
import { Pool } from 'pg';

const pool = new Pool();

export async function GET(request: NextRequest) {
  const q = request.nextUrl.searchParams.get('q') ?? '';
  const { rows } = await sql`SELECT * FROM posts WHERE title ILIKE ${'%' + q + '%'}`; // ok: 89
  const raw = await pool.query(`SELECT * FROM posts WHERE body ILIKE '%${q}%'`); // bad: 89
  return NextResponse.json({ rows, raw: raw.rows });
}

export async function POST(request: NextRequest) {
  const body = await request.json();
  exec(`git tag ${body.tag}`); // bad: 78
  const next = body.next as string;
  return NextResponse.redirect(new URL(next, request.url)); // bad: 601
}

export async function PUT(request: NextRequest) {
  const body = await request.json();
  const id = Number(body.id);
  await pool.query(`UPDATE posts SET views = views + 1 WHERE id = ${id}`); // ok: 89
  return NextResponse.redirect(new URL('/posts', request.url)); // ok: 601
}

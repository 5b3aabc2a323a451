import { Request, Response } from 'express';
import { MongoClient } from 'mongodb';
import crypto from 'crypto';
import axios from 'axios';
import escapeHtml from 'escape-html';

const client = new MongoClient(process.env.MONGO_URL as string);
const orders = client.db('shop').collection('orders');
const PARTNERS: Record<string, string> = { acme: 'https://api.acme.example/', globex: 'https://globex.example/api/' };

export async function listOrders(req: Request, res: Response) {
  const filter = JSON.parse(String(req.query.filter || '{}'));
  res.json(await orders.find(filter).toArray()); // bad: 943
}

export async function byStatus(req: Request, res: Response) {
  res.json(await orders.find({ status: String(req.query.status) }).toArray()); // ok: 943
}

export async function partnerStock(req: Request, res: Response) {
  const base = PARTNERS[String(req.params.partner)] || PARTNERS.acme;
  const { data } = await axios.get(base + 'stock'); // ok: 918
  res.json(data);
}

export async function proxy(req: Request, res: Response) {
  const { data } = await axios.post(req.body.callback, { ok: true }); // bad: 918
  res.json(data);
}

export function apiKey(req: Request, res: Response) {
  const key = crypto.randomBytes(32).toString('base64url'); // ok: 330
  const sessionId = Math.random().toString(36).substring(2); // bad: 330
  res.json({ key, sessionId });
}

export function hello(req: Request, res: Response) {
  res.send('<h1>' + escapeHtml(String(req.query.name)) + '</h1>'); // ok: 79
  res.send('<h2>' + req.query.title + '</h2>'); // bad: 79
}

export function template(req: Request, res: Response) {
  const fn = new Function('data', 'return `' + req.body.template + '`'); // bad: 94
  res.send(escapeHtml(fn({}))); // ok: 79
}

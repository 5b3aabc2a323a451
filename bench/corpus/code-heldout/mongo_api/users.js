const express = require('express');
const mongoose = require('mongoose');
const User = require('./models/user');

const app = express();
app.use(express.json());

app.get('/users/find', async (req, res) => {
  const users = await User.find({ $where: `this.name == '${req.query.name}'` }); // bad: 943
  res.json(users);
});

app.post('/login', async (req, res) => {
  const user = await User.findOne({ username: req.body.username, password: req.body.password }); // bad: 943
  res.json({ ok: Boolean(user) });
});

app.post('/login-safe', async (req, res) => {
  const user = await User.findOne({ username: String(req.body.username) }); // ok: 943
  res.json({ ok: Boolean(user) });
});

app.post('/users/filter', async (req, res) => {
  const users = await User.find(req.body.filter); // bad: 943
  res.json(users);
});

app.get('/users/:id', async (req, res) => {
  if (!mongoose.Types.ObjectId.isValid(req.params.id)) return res.status(400).end();
  const user = await User.findById(req.params.id); // ok: 943
  res.json(user);
});

app.get('/users/by-age', async (req, res) => {
  const users = await User.find({ age: { $gte: Number(req.query.min) } }); // ok: 943
  res.json(users);
});

app.delete('/users', async (req, res) => {
  await User.deleteMany({ team: req.query.team }); // bad: 943
  res.status(204).end();
});

app.listen(3001);

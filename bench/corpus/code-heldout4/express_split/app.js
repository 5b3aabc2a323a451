const express = require('express');
const path = require('path');
const users = require('./routes/users');

const app = express();
const PUBLIC = path.join(__dirname, 'public');
app.set('view engine', 'ejs');
app.use(express.json());
app.use('/users', users);

app.get('/download', (req, res) => {
  const name = path.normalize(req.query.name);
  res.sendFile(path.join(PUBLIC, name)); // bad: 22
});

app.get('/download-safe', (req, res) => {
  res.sendFile(req.query.name, { root: PUBLIC }); // ok: 22
});

app.get('/hello', (req, res) => {
  res.send('<p>Hello ' + req.query.name + '</p>'); // bad: 79
});

app.get('/hello-safe', (req, res) => {
  res.render('hello', { name: req.query.name }); // ok: 79
});

app.listen(3000);

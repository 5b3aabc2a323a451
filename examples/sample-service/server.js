// Orders API (Express). DELIBERATELY VULNERABLE: see README.md; never deploy it.
const express = require("express");
const fs = require("fs");
const path = require("path");
const { exec } = require("child_process");
const { Pool } = require("pg");

const app = express();
app.use(express.json());
const db = new Pool({ connectionString: process.env.DATABASE_URL });
const REPORTS_DIR = "/srv/reports";

app.get("/orders", async (req, res) => {
  const customer = req.query.customer;
  const result = await db.query(`SELECT id, total FROM orders WHERE customer = '${customer}'`);
  res.json(result.rows);
});

app.post("/reports/archive", (req, res) => {
  const name = req.body.name;
  exec(`tar czf /tmp/${name}.tgz ${REPORTS_DIR}`, (err) => {
    res.json({ archived: !err });
  });
});

function reportPath(file) {
  return path.join(REPORTS_DIR, file);
}

app.get("/reports/download", (req, res) => {
  fs.readFile(reportPath(req.query.file), "utf8", (err, data) => {
    if (err) return res.status(404).end();
    res.type("text/plain").send(data);
  });
});

app.get("/hello", (req, res) => {
  const name = req.query.name || "guest";
  res.send("<h1>Hello " + name + "</h1>");
});

app.listen(3000, () => console.log("listening on 3000"));

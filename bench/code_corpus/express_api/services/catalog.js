const { Pool } = require('pg');
const { exec } = require('child_process');

const pool = new Pool();

async function search(term) {
  return pool.query(`SELECT * FROM products WHERE name ILIKE '%${term}%'`); // bad: 89
}

async function searchSafe(term) {
  return pool.query('SELECT * FROM products WHERE name ILIKE $1', [`%${term}%`]); // ok: 89
}

function thumbnail(file) {
  exec(`convert uploads/${file} -resize 64x64 thumbs/${file}`); // bad: 78
}

module.exports = { search, searchSafe, thumbnail };

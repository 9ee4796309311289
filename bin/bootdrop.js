#!/usr/bin/env node
// The headless CLI. The engine is compiled by `npm run build:engine` (run by `prepare` on `npm ci`).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
// `bootdrop ls … | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}
const entry = path.join(__dirname, '..', 'dist', 'engine', 'cli', 'index.js');
if (!fs.existsSync(entry)) {
  console.error(
    `bootdrop: the engine is not built (${entry} is missing). Run "npm run build:engine" in ${path.dirname(__dirname)}.`,
  );
  process.exit(2);
}
require(entry)
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(`bootdrop: ${err && err.message ? err.message : err}`);
      process.exitCode = 1;
    },
  );

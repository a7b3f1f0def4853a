#!/usr/bin/env node
// The image's health check (node:slim has no curl): GET /health/ready of the app this container
// runs and exit 0 only on HTTP 200. The port is the first argument when given; otherwise the
// worker's HERALD_WORKER_PORT (default 3001) when this container runs the worker, else the API's
// PORT (default 3000). Usage: node docker/healthcheck.cjs [port]
'use strict';
const fs = require('node:fs');
const http = require('node:http');

const TIMEOUT_MS = 4000;

function runsWorker() {
  try {
    return fs
      .readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .some((pid) => {
        try {
          return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dist/apps/worker/');
        } catch {
          return false;
        }
      });
  } catch {
    return false;
  }
}

function healthPort() {
  if (process.argv[2]) return process.argv[2];
  if (runsWorker()) return process.env.HERALD_WORKER_PORT?.trim() || '3001';
  return process.env.PORT?.trim() || '3000';
}

const port = healthPort();
if (port === '0') {
  console.log('health port is 0 (turned off): nothing to check');
  process.exit(0);
}

const request = http.get(
  { host: '127.0.0.1', port: Number(port), path: '/health/ready', timeout: TIMEOUT_MS },
  (response) => {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (chunk) => (body += chunk));
    response.on('end', () => {
      console.log(`port ${port}: HTTP ${response.statusCode} ${body}`);
      process.exit(response.statusCode === 200 ? 0 : 1);
    });
  },
);
request.on('timeout', () => request.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
request.on('error', (error) => {
  console.log(`port ${port}: ${error.message}`);
  process.exit(1);
});

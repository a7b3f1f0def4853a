#!/usr/bin/env node
// `npm start`: the whole of Herald for a newcomer on a fresh clone, in one command. It installs what
// is missing, builds both apps, runs project-local PostgreSQL and Redis when DATABASE_URL/REDIS_URL
// are unset (data under .data/, reused by the next run), then runs the API and the worker and prints
// where to find them. Ctrl-C stops the apps first, then the servers it started, and exits 0.
//
// Guarantees: it only ever signals processes it started itself, by their PIDs; when either app dies
// it stops everything and exits non-zero. Progress goes to stderr, prefixed `[herald]`.
//
// Environment (besides the apps' own, see shared/API.md): HERALD_DATA_DIR (default <repo>/.data),
// HERALD_PG_PORT / HERALD_REDIS_PORT (default: free ports).
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ensureDependencies, npmCommand } from './ensure-dependencies.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const requireCjs = createRequire(import.meta.url);
const { startPostgres, startRedis } = requireCjs('../libs/testing/src/local-services.cjs');

const READY_TIMEOUT_MS = 60_000;
// The apps drain in-flight work on SIGTERM; past this they are killed so Ctrl-C always ends.
const APP_STOP_TIMEOUT_MS = 20_000;
const APPS = {
  api: 'dist/apps/api/src/main.js',
  worker: 'dist/apps/worker/src/main.js',
};

const log = (message) => process.stderr.write(`[herald] ${message}\n`);
// When whoever reads our output goes away (a closed terminal, a killed test runner), writes fail
// with EPIPE; that must not turn into an error loop that keeps us from stopping the servers.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

/** Thrown inside the start-up sequence when a signal asked us to stop before it finished. */
class StopRequested extends Error {}

// What this process started, so that stopping touches exactly these and nothing else.
const started = { postgres: null, redis: null, api: null, worker: null };
let phase = 'starting'; // → 'running' → 'stopping'
let stopSignal = null; // the signal received while still starting
let buildChild = null;
let pidsFile = null;

// ---------------------------------------------------------------------------------------------
// Signals and shutdown

function onSignal(signal) {
  if (phase === 'stopping' || stopSignal) {
    log(
      `${signal} again: still stopping (the apps get ${APP_STOP_TIMEOUT_MS / 1000} s to finish)…`,
    );
    return;
  }
  log(`${signal} received: stopping`);
  if (phase === 'running') {
    void shutdown(0);
    return;
  }
  // While starting, the start-up sequence notices at its next step; a running build is cut short.
  stopSignal = signal;
  // npm does not pass SIGTERM on to the build it runs, so signal the build's whole process group
  // (our own child's group: everything in it was started by us).
  if (buildChild) signalPid(-buildChild.pid, 'SIGTERM');
}
// SIGHUP too: closing the terminal must not leave servers behind.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, onSignal);

// `kill <pid of npm>` ends npm without passing the signal on, which would leave this script, the
// apps and the servers running with nobody to stop them: treat losing our parent like a hang-up.
const parentPid = process.ppid;
const parentWatch = setInterval(() => {
  if (process.ppid === parentPid) return;
  clearInterval(parentWatch);
  onSignal('parent exited');
}, 1000).unref();

process.on('uncaughtException', (error) => {
  log(`unexpected error: ${error.stack ?? error}`);
  void shutdown(1);
});
process.on('unhandledRejection', (error) => {
  log(`unexpected error: ${error instanceof Error ? error.stack : error}`);
  void shutdown(1);
});

function signalPid(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

const hasExited = (child) => child.exitCode !== null || child.signalCode !== null;
const describeExit = (child) =>
  child.signalCode ? `signal ${child.signalCode}` : `exit code ${child.exitCode}`;

/** SIGTERM to an app we started, SIGKILL after the grace period; resolves once it has exited. */
function stopApp(name, child) {
  return new Promise((resolve) => {
    if (hasExited(child)) return resolve();
    const timer = setTimeout(() => {
      log(`${name} did not stop within ${APP_STOP_TIMEOUT_MS / 1000} s: killing it`);
      signalPid(child.pid, 'SIGKILL');
    }, APP_STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      log(`${name} stopped (${describeExit(child)})`);
      resolve();
    });
    signalPid(child.pid, 'SIGTERM');
  });
}

let shuttingDown = null;
/** Stops the apps, then the servers (apps first: they must not see their database vanish). */
function shutdown(code) {
  shuttingDown ??= (async () => {
    phase = 'stopping';
    try {
      await Promise.all(
        ['api', 'worker'].filter((n) => started[n]).map((n) => stopApp(n, started[n])),
      );
      await Promise.all(
        ['redis', 'postgres']
          .filter((n) => started[n])
          .map(async (n) => {
            await started[n].stop();
            log(`${n === 'redis' ? 'Redis' : 'PostgreSQL'} stopped (PID ${started[n].pid})`);
          }),
      );
      if (pidsFile) fs.rmSync(pidsFile, { force: true });
      log(code === 0 ? 'stopped' : 'stopped after a failure');
    } catch (error) {
      log(`stopping failed: ${error instanceof Error ? error.stack : error}`);
      code ||= 1;
    } finally {
      process.exit(code);
    }
  })();
  return shuttingDown;
}

function checkStop() {
  if (stopSignal) throw new StopRequested(stopSignal);
}

// ---------------------------------------------------------------------------------------------
// Start-up steps

/** Runs `npm run build`, cancellable by a signal (it takes a while and Ctrl-C should not wait). */
function build() {
  return new Promise((resolve, reject) => {
    log('building the apps (npm run build)…');
    const [command, argv] = npmCommand(['run', 'build']);
    buildChild = spawn(command, argv, { cwd: root, stdio: ['ignore', 2, 2], detached: true });
    buildChild.once('error', reject);
    buildChild.once('exit', (code, signal) => {
      buildChild = null;
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      if (code === 0) resolve();
      else reject(new Error(`npm run build failed (${how})`));
    });
  });
}

function processIsAlive(pid, expectedCommand) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  // A PID may have been reused by something else since; Linux tells us what it runs now (a zombie's
  // command line is empty, which correctly counts as gone).
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(expectedCommand);
  } catch {
    return true;
  }
}

/**
 * A previous `npm start` on the same data directory that is still running (or was SIGKILLed and
 * left servers behind) would share the data files: refuse, and say which PIDs to end. We do not end
 * them ourselves: this process did not start them.
 */
function refuseIfPreviousRunIsAlive(previousPidsFile) {
  let previous;
  try {
    previous = JSON.parse(fs.readFileSync(previousPidsFile, 'utf8'));
  } catch {
    return;
  }
  const commands = {
    starter: 'start.mjs',
    postgres: 'postgres',
    redis: 'redis-server',
    api: APPS.api,
    worker: APPS.worker,
  };
  const alive = Object.entries(previous).filter(
    ([name, pid]) => Number.isInteger(pid) && commands[name] && processIsAlive(pid, commands[name]),
  );
  if (alive.length === 0) return;
  const list = alive.map(([name, pid]) => `${name} (PID ${pid})`).join(', ');
  throw new Error(
    `a previous npm start on ${path.dirname(previousPidsFile)} is still running: ${list}. ` +
      `Stop it with Ctrl-C in its terminal, or end what is left with: kill ${alive.map(([, pid]) => pid).join(' ')}`,
  );
}

/** Lets a later run (and the e2e test) know exactly which processes this run started. */
function recordPids() {
  const pids = { starter: process.pid };
  for (const [name, what] of Object.entries(started)) if (what) pids[name] = what.pid;
  fs.writeFileSync(pidsFile, `${JSON.stringify(pids)}\n`);
}

/**
 * HERALD_SECRET_KEY encrypts webhook secrets at rest. Generated once into the data directory, owner
 * read-only, and reused: a new key would make every stored secret undecryptable.
 */
function secretKey(dataDir) {
  const file = path.join(dataDir, 'secret-key');
  try {
    fs.writeFileSync(file, `${crypto.randomBytes(32).toString('base64')}\n`, {
      mode: 0o600,
      flag: 'wx', // never overwrite an existing key
    });
    log(
      `generated HERALD_SECRET_KEY into ${file} (keep it with the data: it decrypts webhook secrets)`,
    );
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  }
  if ((fs.statSync(file).mode & 0o077) !== 0) {
    log(`${file} was readable by others: restricting it to its owner`);
    fs.chmodSync(file, 0o600);
  }
  const key = fs.readFileSync(file, 'utf8').trim();
  const bytes = Buffer.from(key, 'base64');
  if (bytes.length !== 32 || bytes.toString('base64') !== key) {
    throw new Error(
      `${file} does not hold 32 bytes in base64; restore it, or delete it together with the data to start afresh`,
    );
  }
  return key;
}

function portFromEnv(name) {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name} must be a TCP port (1-65535), got "${value}"`);
  }
  return port;
}

/** Creates the `herald` database on a server we started (the server's own default is `postgres`). */
async function ensureDatabase(serverUrl, name) {
  // `pg` is the apps' dependency, present once ensureDependencies has run: no psql/createdb needed.
  const { Client } = createRequire(path.join(root, 'package.json'))('pg');
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE "${name}"`);
      log(`created database ${name}`);
    }
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function somethingListensOn(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Otherwise the readiness check could be answered by whatever already holds the port. */
async function refuseIfPortInUse(port) {
  if (await somethingListensOn(port)) {
    throw new Error(`port ${port} is already in use; choose another with PORT=<port> npm start`);
  }
}

function httpStatus(url) {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(null));
  });
}

function startApp(name, env) {
  const entry = path.join(root, APPS[name]);
  // Detached (own process group) so that the terminal's Ctrl-C reaches only this script, which then
  // stops the apps itself, in order, and can tell a deliberate stop from an app dying.
  const child = spawn(process.execPath, [entry], {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  child.once('exit', () => {
    if (phase !== 'running') return; // while starting, waitUntilReady reports it
    log(`${name} exited unexpectedly (${describeExit(child)}): stopping everything`);
    void shutdown(1);
  });
  log(`${name} started (PID ${child.pid})`);
  return child;
}

async function waitUntilReady(url) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    checkStop();
    for (const name of ['api', 'worker']) {
      if (hasExited(started[name])) {
        throw new Error(
          `${name} exited (${describeExit(started[name])}) before Herald was ready; see its output above`,
        );
      }
    }
    if ((await httpStatus(url)) === 200) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${url} did not answer 200 within ${READY_TIMEOUT_MS / 1000} s; see the apps' output above`,
      );
    }
    await delay(500);
  }
}

async function startUp() {
  const appPort = portFromEnv('PORT') ?? 3000;
  const pgPort = portFromEnv('HERALD_PG_PORT');
  const redisPort = portFromEnv('HERALD_REDIS_PORT');

  const dataDir = path.resolve(process.env.HERALD_DATA_DIR || path.join(root, '.data'));
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  refuseIfPreviousRunIsAlive(path.join(dataDir, 'pids.json'));
  pidsFile = path.join(dataDir, 'pids.json'); // ours from here on: removed when we stop
  await refuseIfPortInUse(appPort); // early, so as not to build and start servers in vain

  ensureDependencies({ root, redis: !process.env.REDIS_URL });
  checkStop();
  await build();
  checkStop();
  for (const entry of Object.values(APPS)) {
    if (!fs.existsSync(path.join(root, entry))) {
      throw new Error(`the build did not produce ${entry}`);
    }
  }
  log(`data directory: ${dataDir}`);

  const env = { ...process.env, PORT: String(appPort) };
  // The worker's health endpoint sits next to the API's port unless chosen.
  env.HERALD_WORKER_PORT ||= String(appPort + 1);
  env.HERALD_SECRET_KEY ||= secretKey(dataDir);

  if (!env.DATABASE_URL) {
    started.postgres = await startPostgres({
      dataDir: path.join(dataDir, 'postgres'),
      port: pgPort,
      durable: true,
    });
    recordPids();
    checkStop();
    env.DATABASE_URL = await ensureDatabase(started.postgres.url, 'herald');
  }
  if (!env.REDIS_URL) {
    started.redis = await startRedis({ dataDir: path.join(dataDir, 'redis'), port: redisPort });
    recordPids();
    checkStop();
    env.REDIS_URL = started.redis.url;
  }
  const services = {};
  if (started.postgres) services.postgres = started.postgres.pid;
  if (started.redis) services.redis = started.redis.pid;
  // Machine-readable, for the e2e test and for anyone scripting around `npm start`.
  log(`services: ${JSON.stringify(services)}`);
  // Only the URLs of our own servers: a configured one may carry a password.
  if (started.postgres) log(`DATABASE_URL=${env.DATABASE_URL}`);
  if (started.redis) log(`REDIS_URL=${env.REDIS_URL}`);

  if (env.HERALD_ALLOW_PRIVATE_TARGETS === undefined) {
    env.HERALD_ALLOW_PRIVATE_TARGETS = 'true';
    log(
      'HERALD_ALLOW_PRIVATE_TARGETS=true: webhooks may target localhost and private addresses ' +
        '(local use; set it to false to refuse them, as production does by default)',
    );
  }

  await refuseIfPortInUse(appPort); // the build and the servers took a while: check again
  started.api = startApp('api', env);
  started.worker = startApp('worker', env);
  recordPids();

  const base = `http://localhost:${appPort}`;
  await waitUntilReady(`http://127.0.0.1:${appPort}/health/ready`);
  phase = 'running';
  // An app that died after the last readiness poll was not reported by its exit handler (not yet
  // 'running' then): catch it here.
  for (const name of ['api', 'worker']) {
    if (hasExited(started[name])) {
      throw new Error(`${name} exited (${describeExit(started[name])})`);
    }
  }

  const lines = [
    'Herald is running (Ctrl-C stops it):',
    `  API              ${base}`,
    `  API docs         ${base}/docs`,
    `  OpenAPI          ${base}/docs-json`,
    `  console          ${base}/console`,
    `  queue dashboard  ${base}/admin/queues`,
    `  metrics          ${base}/metrics`,
    `  worker health    http://localhost:${env.HERALD_WORKER_PORT}/health/ready`,
    `  worker metrics   http://localhost:${env.HERALD_WORKER_PORT}/metrics`,
  ];
  if (!env.HERALD_ADMIN_EMAIL || !env.HERALD_ADMIN_PASSWORD) {
    lines.push(
      'To sign in to the console, create an admin at start:',
      '  HERALD_ADMIN_EMAIL=you@example.com HERALD_ADMIN_PASSWORD=… npm start',
    );
  }
  for (const line of lines) log(line);
}

try {
  await startUp();
} catch (error) {
  if (error instanceof StopRequested || stopSignal) {
    await shutdown(0);
  } else {
    log(`could not start: ${error instanceof Error ? error.message : error}`);
    await shutdown(1);
  }
}

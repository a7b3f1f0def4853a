// Project-local PostgreSQL and Redis servers, for `npm start` (persistent, under .data/) and for the
// test harness (throw-away, under a temp dir). Plain CommonJS with no dependencies, because
// `npm start` runs it before `npm install` has necessarily happened.
//
// Guarantees: a server is started on a free loopback port (or the port asked for), we wait until it
// answers, and `stop()` ends exactly the process we started (by its PID) and waits for it to exit.
'use strict';

const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const PG_BIN_CANDIDATES = [
  '/usr/lib/postgresql/17/bin',
  '/usr/lib/postgresql/16/bin',
  '/usr/lib/postgresql/15/bin',
];
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function log(quiet, message) {
  if (!quiet) process.stderr.write(`[herald] ${message}\n`);
}

/** A free TCP port on 127.0.0.1, as the kernel hands it out. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function findPgBin() {
  const dir = PG_BIN_CANDIDATES.find((d) => fs.existsSync(path.join(d, 'postgres')));
  if (!dir) {
    throw new Error(
      'PostgreSQL server binaries were not found. Install them with: apt-get install -y postgresql',
    );
  }
  return dir;
}

function findRedisServer() {
  for (const candidate of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) {
    if (fs.existsSync(candidate)) return candidate;
  }
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : null;
}

/**
 * Installs Redis from Debian's packages when it is missing and we are root; otherwise explains
 * which package is needed. Returns the path of redis-server.
 */
function ensureRedisInstalled({ quiet = false } = {}) {
  let bin = findRedisServer();
  if (bin) return bin;
  if (!isRoot) {
    throw new Error(
      'redis-server is not installed. Install the Debian package: sudo apt-get install -y redis-server',
    );
  }
  log(quiet, 'redis-server is missing: installing the Debian package redis-server…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const stdio = quiet ? 'ignore' : 'inherit';
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'redis-server'], {
      stdio,
      env,
    });
  // A fresh image has no package lists yet: refresh them only when the first try fails.
  if (install().status !== 0) {
    spawnSync('apt-get', ['update'], { stdio, env });
    install();
  }
  bin = findRedisServer();
  if (!bin)
    throw new Error(
      'Installing redis-server failed; install it with: apt-get install -y redis-server',
    );
  return bin;
}

/** When root, PostgreSQL runs as the `postgres` system user (initdb and postgres refuse root). */
function postgresUser() {
  if (!isRoot) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function runPgTool(binary, args, options = {}) {
  return execFileSync(binary, args, { ...options, ...postgresUser() });
}

function chownToPostgres(dir) {
  if (isRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
}

async function waitFor(check, { timeoutMs, what, child }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (child && child.exitCode !== null)
      throw new Error(`${what} exited with code ${child.exitCode} while starting`);
    if (Date.now() > deadline)
      throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Waits for a process we started to exit; signals it (by PID) first when `signal` is given. */
function stopChild(child, signal, timeoutMs = 15000) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(child.pid, signal);
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/**
 * Starts PostgreSQL on `dataDir` (initialising it on first use). Returns
 * `{ url, port, pid, stop() }`; `url` points at the `postgres` database as the `postgres` superuser
 * over TCP on 127.0.0.1 (trust authentication: the server listens on loopback only).
 */
async function startPostgres({ dataDir, port, quiet = false, durable = true } = {}) {
  const bin = findPgBin();
  fs.mkdirSync(dataDir, { recursive: true });
  const pgData = path.join(dataDir, 'pgdata');
  const socketDir = path.join(dataDir, 'pgsocket');
  fs.mkdirSync(socketDir, { recursive: true });
  if (isRoot) {
    // The postgres user must be able to reach the data directory through every parent.
    for (let dir = path.resolve(dataDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      try {
        fs.chmodSync(dir, fs.statSync(dir).mode | 0o011);
      } catch {
        /* not ours to change */
      }
    }
  }
  if (!fs.existsSync(path.join(pgData, 'PG_VERSION'))) {
    log(quiet, `initialising PostgreSQL in ${pgData}`);
    fs.mkdirSync(pgData, { recursive: true });
    chownToPostgres(dataDir);
    runPgTool(
      path.join(bin, 'initdb'),
      ['-D', pgData, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'],
      {
        stdio: quiet ? 'ignore' : ['ignore', 'ignore', 'inherit'],
      },
    );
  }
  chownToPostgres(dataDir);
  const pidFile = path.join(pgData, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const stalePid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    let alive = false;
    try {
      process.kill(stalePid, 0);
      alive = true;
    } catch {
      /* stale */
    }
    if (alive) throw new Error(`PostgreSQL is already running on ${pgData} (PID ${stalePid})`);
    fs.rmSync(pidFile);
  }
  const chosenPort = port ?? (await freePort());
  const args = [
    '-D',
    pgData,
    '-p',
    String(chosenPort),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${socketDir}`,
    '-c',
    'max_connections=200',
    '-c',
    'shared_buffers=128MB',
  ];
  if (!durable) {
    // Throw-away test servers only: a crash loses nothing we keep, so skip waiting for the disk.
    args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  }
  const logFile = fs.openSync(path.join(dataDir, 'postgres.log'), 'a');
  // Spawned directly (not through su/runuser) so that child.pid is the postmaster itself.
  const child = spawn(path.join(bin, 'postgres'), args, {
    stdio: ['ignore', logFile, logFile],
    detached: true,
    ...postgresUser(),
  });
  fs.closeSync(logFile);
  child.unref();
  const pgIsReady = path.join(bin, 'pg_isready');
  await waitFor(
    async () =>
      spawnSync(pgIsReady, ['-h', '127.0.0.1', '-p', String(chosenPort), '-U', 'postgres', '-q'])
        .status === 0,
    { timeoutMs: 30000, what: 'PostgreSQL', child },
  );
  log(quiet, `PostgreSQL is running on 127.0.0.1:${chosenPort} (PID ${child.pid})`);
  return {
    url: `postgres://postgres@127.0.0.1:${chosenPort}/postgres`,
    port: chosenPort,
    pid: child.pid,
    dataDir,
    // SIGINT is PostgreSQL's "fast" shutdown; `immediate` (SIGQUIT) is for fault tests.
    stop: ({ mode = 'fast' } = {}) =>
      stopChild(child, mode === 'immediate' ? 'SIGQUIT' : mode === 'smart' ? 'SIGTERM' : 'SIGINT'),
    kill: () => stopChild(child, 'SIGKILL'),
  };
}

/**
 * Starts Redis on `dataDir` with AOF persistence and `noeviction`, as Herald requires.
 * Returns `{ url, port, pid, stop() }`.
 */
async function startRedis({ dataDir, port, quiet = false, install = true } = {}) {
  const bin = install ? ensureRedisInstalled({ quiet }) : findRedisServer();
  if (!bin) throw new Error('redis-server is not installed (apt-get install -y redis-server)');
  fs.mkdirSync(dataDir, { recursive: true });
  const chosenPort = port ?? (await freePort());
  const args = [
    '--port',
    String(chosenPort),
    '--bind',
    '127.0.0.1',
    '--dir',
    dataDir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--maxmemory-policy',
    'noeviction',
    '--save',
    '',
    '--daemonize',
    'no',
    '--protected-mode',
    'yes',
    '--logfile',
    path.join(dataDir, 'redis.log'),
  ];
  const child = spawn(bin, args, { stdio: 'ignore', detached: true });
  child.unref();
  await waitFor(() => canConnect(chosenPort), { timeoutMs: 15000, what: 'Redis', child });
  log(quiet, `Redis is running on 127.0.0.1:${chosenPort} (PID ${child.pid})`);
  return {
    url: `redis://127.0.0.1:${chosenPort}`,
    port: chosenPort,
    pid: child.pid,
    dataDir,
    stop: () => stopChild(child, 'SIGTERM'),
    kill: () => stopChild(child, 'SIGKILL'),
  };
}

/** A fresh temporary directory that the `postgres` user can use. */
function makeTempDir(prefix = 'herald-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

module.exports = { startPostgres, startRedis, ensureRedisInstalled, freePort, makeTempDir };

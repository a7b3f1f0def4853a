#!/usr/bin/env node
// Makes sure what `npm start` and `npm test` need is installed: node_modules matching
// package-lock.json, and redis-server (PostgreSQL's binaries come with the machine, see
// shared/STACK.md). Dependency-free, because it runs before `npm ci` has necessarily happened.
// Silent when there is nothing to do, so that every `npm start` / `npm test` can call it.
//
// Usable as a module (`ensureDependencies()`) or on its own: `node scripts/ensure-dependencies.mjs`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// local-services.cjs is CommonJS (the test harness shares it); ESM reaches it through createRequire.
const requireCjs = createRequire(import.meta.url);
const { ensureRedisInstalled } = requireCjs('../libs/testing/src/local-services.cjs');

function log(message) {
  process.stderr.write(`[herald] ${message}\n`);
}

function mtimeMs(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

/**
 * Why node_modules needs (re)installing, or null when it is up to date. npm writes
 * node_modules/.package-lock.json at the end of every install, so a package-lock.json newer than it
 * means the lock changed (git pull, a teammate's new dependency) after the last install.
 */
export function installReason(root = repoRoot) {
  const nodeModules = path.join(root, 'node_modules');
  if (!fs.existsSync(nodeModules)) return 'node_modules is missing';
  const lock = mtimeMs(path.join(root, 'package-lock.json'));
  const installed = mtimeMs(path.join(nodeModules, '.package-lock.json'));
  if (lock === null) return null; // nothing to compare with; npm ci would refuse anyway
  if (installed === null) return 'node_modules was not installed by npm';
  if (lock > installed) return 'package-lock.json is newer than node_modules';
  return null;
}

/** `[command, argv]` that runs npm: under `npm start`/`npm test`, the same npm that started us. */
export function npmCommand(args) {
  const npmCli = process.env.npm_execpath;
  return npmCli && /npm-cli\.js$/.test(npmCli)
    ? [process.execPath, [npmCli, ...args]]
    : ['npm', args];
}

function npm(args, root) {
  const [command, argv] = npmCommand(args);
  // npm's own output goes to stderr too, so that our stdout stays for what the caller prints.
  const result = spawnSync(command, argv, { cwd: root, stdio: ['ignore', 2, 2] });
  if (result.error) throw result.error;
  return result.status === 0;
}

/**
 * Installs node_modules when missing or stale (`npm ci`, falling back to `npm install` when the lock
 * does not match package.json), and redis-server when `redis` is true. Throws when that fails.
 */
export function ensureDependencies({ root = repoRoot, redis = true } = {}) {
  const reason = installReason(root);
  if (reason) {
    log(`${reason}: installing dependencies (npm ci)…`);
    if (!npm(['ci'], root)) {
      log('npm ci failed; trying npm install');
      if (!npm(['install'], root)) {
        throw new Error('Installing the npm dependencies failed (see above)');
      }
    }
    // `npm install` may rewrite package-lock.json; mark node_modules as at least that new so the
    // next run does not install again.
    const hidden = path.join(root, 'node_modules', '.package-lock.json');
    if (fs.existsSync(hidden)) {
      const now = new Date();
      fs.utimesSync(hidden, now, now);
    }
  }
  if (redis) ensureRedisInstalled({ quiet: false }); // prints only when it has to install
}

// Run directly: `node scripts/ensure-dependencies.mjs`.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    ensureDependencies();
  } catch (error) {
    log(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}

#!/usr/bin/env node
// `npm test`: every suite on real PostgreSQL and Redis. The suites start and stop those servers
// themselves (jest.config.js globalSetup); this script only makes sure their binaries and
// node_modules are there, so that `npm test` works on a fresh clone. Extra arguments go to Jest:
// `npm test -- test/npm-start.e2e.ts -t reuses`.
//
// With CI set, lint runs first and a lint error fails the run.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDependencies, npmCommand } from './ensure-dependencies.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (message) => process.stderr.write(`[herald] ${message}\n`);

try {
  ensureDependencies({ root, redis: true });
} catch (error) {
  log(error instanceof Error ? error.message : String(error));
  process.exit(1);
}

// CI systems set CI=true; CI=false or CI=0 (a local override) means no.
if (process.env.CI && !/^(0|false)$/i.test(process.env.CI)) {
  log('CI is set: linting first (npm run lint)');
  const [command, argv] = npmCommand(['run', 'lint']);
  const lint = spawnSync(command, argv, { cwd: root, stdio: 'inherit' });
  if (lint.status !== 0) {
    log('lint failed');
    process.exit(lint.status || 1);
  }
}

// Jest picks how many workers to use, capped at 2: each suite clones a Postgres database and some
// start whole apps, so more workers than this kind of machine's 2 cores only slow things down.
// Jest takes the first of repeated options, so the cap is added only when the caller chose nothing.
const args = process.argv.slice(2);
const chosen = args.some((arg) => /^(--maxWorkers|--runInBand)(=|$)|^-[wi]/.test(arg));
// Jest's summary is not one of the closing lines CI reads, so the counts are also written as a
// plain `tests: N passed, N failed` line, from Jest's JSON results.
const resultsFile = path.join(os.tmpdir(), `herald-jest-${process.pid}.json`);
const jest = spawn(
  process.execPath,
  [
    path.join(root, 'node_modules/.bin/jest'),
    ...(chosen ? [] : ['--maxWorkers=2']),
    '--json',
    `--outputFile=${resultsFile}`,
    ...args,
  ],
  // Its own process group, so that a stop request can reach Jest's workers and what they run
  // (an `npm start` under test stops its servers on SIGTERM) and not only Jest's main process.
  { cwd: root, stdio: 'inherit', detached: true },
);

// Pass a stop request on to the group rather than dying first and leaving the tests orphaned.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    try {
      process.kill(-jest.pid, signal);
    } catch {
      // already gone
    }
  });
}

jest.once('error', (error) => {
  log(`could not run Jest: ${error.message}`);
  process.exit(1);
});
jest.once('exit', (code, signal) => {
  try {
    const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
    fs.rmSync(resultsFile, { force: true });
    process.stdout.write(
      `\ntests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped\n`,
    );
  } catch {
    // Jest ended before writing results; its own output says why.
  }
  // A signal's conventional exit status is 128 + its number.
  process.exit(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 1));
});

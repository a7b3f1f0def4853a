import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

export const REPO_ROOT = path.resolve(__dirname, '../../../..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Compiles the apps and libraries once per test run (plain `tsc` with tsconfig.build.json) into
 * the run's temporary directory and returns the build's root. Suites that start Herald as real
 * child processes share it; the first one to ask builds, the others wait for its `done` marker.
 * It never touches `dist/`, which `npm start` (and its test) rebuild.
 * `buildDirectory` (the benchmarks) builds there instead of under HERALD_TEST_DIR; a directory
 * that already holds a finished build is reused as it is.
 */
export async function ensureHeraldBuild(buildDirectory?: string): Promise<string> {
  const runDir = process.env.HERALD_TEST_DIR;
  if (!buildDirectory && !runDir)
    throw new Error('HERALD_TEST_DIR is unset: run the tests with `npm test`');
  const buildDir = buildDirectory ?? path.join(runDir!, 'build');
  const done = path.join(buildDir, 'done');
  const failed = path.join(buildDir, 'failed');
  try {
    mkdirSync(buildDir); // atomic: exactly one suite wins and builds
  } catch {
    for (const deadline = Date.now() + 180_000; Date.now() < deadline; await sleep(200)) {
      if (existsSync(done)) return buildDir;
      if (existsSync(failed))
        throw new Error('the test build of Herald failed (see another suite)');
    }
    throw new Error('timed out waiting for the test build of Herald');
  }
  try {
    await promisify(execFile)(
      process.execPath,
      [
        path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'),
        '-p',
        path.join(REPO_ROOT, 'tsconfig.build.json'),
        '--outDir',
        buildDir,
      ],
      { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 },
    );
    // The console's static files, as nest-cli.json's `assets` copies them into dist.
    cpSync(
      path.join(REPO_ROOT, 'apps/api/src/console/static'),
      path.join(buildDir, 'apps/api/src/console/static'),
      { recursive: true },
    );
    writeFileSync(done, new Date().toISOString());
    return buildDir;
  } catch (error) {
    writeFileSync(failed, String(error));
    throw error;
  }
}

/** The preload that resolves `@herald/*` inside the build (see alias-hook.cjs). */
export const ALIAS_HOOK = path.join(__dirname, 'alias-hook.cjs');

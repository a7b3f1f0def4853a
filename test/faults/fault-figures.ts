import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ProcessSystem } from '@herald/testing/processes';
import { SOAK } from './soak';

const FIGURES_DIR = path.resolve(__dirname, '../../test-artifacts/faults');

/**
 * Prints one line of a fault run's figures and appends them as a JSON line to
 * test-artifacts/faults/figures.jsonl (summarised in test/faults/README.md).
 */
export function reportFigures(test: string, figures: Record<string, unknown>): void {
  const line = { test, size: SOAK ? 'soak' : 'quick', ...figures, at: new Date().toISOString() };
  console.log(
    `[${test}] ${Object.entries(figures)
      .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
      .join(' ')}`,
  );
  mkdirSync(FIGURES_DIR, { recursive: true });
  appendFileSync(path.join(FIGURES_DIR, 'figures.jsonl'), `${JSON.stringify(line)}\n`);
}

/** Deliveries per status, from PostgreSQL. */
export async function deliveryStatuses(system: ProcessSystem): Promise<Record<string, number>> {
  const rows = await system.db.query<{ status: string; count: string }[]>(
    'SELECT status, count(*) AS count FROM deliveries GROUP BY status',
  );
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true; false if `timeoutMs` passed first. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 200,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}

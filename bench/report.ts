import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';
import type { HeraldResults } from './herald/run-herald';
import type { ServerSettings } from './herald/bench-system';
import type { LedgerCounts } from './herald/ledger';
import type { ReferenceResults } from './references/run-references';

export interface RoundResult {
  references: ReferenceResults;
  herald: HeraldResults;
}

export interface RunInfo {
  date: string;
  quick: boolean;
  rounds: number;
  durationSeconds: number;
  node: string;
  cpus: string;
  settings: ServerSettings;
  heraldEnv: Record<string, string>;
  ledger: LedgerCounts & { byFigure: Record<string, LedgerCounts> };
}

/** One round's numbers, flat (`fanout.100.ratioToR1`); Herald's ratios use the same round's references. */
export function flatten(round: RoundResult): Record<string, number> {
  const { references: ref, herald } = round;
  const flat: Record<string, number> = {
    'references.receiverPerSecond': ref.receiverPerSecond,
    'references.r1PerSecond': ref.r1PerSecond,
    'references.r1WidePerSecond': ref.r1WidePerSecond,
    'references.r2JobsPerSecond': ref.r2.jobsPerSecond,
    'references.r2BytesPerQueuedJob': ref.r2.bytesPerQueuedJob,
    'references.r2RedisCommandsPerJob': ref.r2.redisCommandsPerJob,
    'references.r3SingleRowPerSecond': ref.r3.singleRowPerSecond,
    'references.r3BatchedRowsPerSecond': ref.r3.batchedPerSecond,
    'references.compositePerSecond': ref.compositePerSecond,
    'e2e.eventsPerSecond': herald.e2e.eventsPerSecond,
    'e2e.acceptedPerSecond': herald.e2e.acceptedPerSecond,
    'e2e.ratioToComposite': herald.e2e.eventsPerSecond / ref.compositePerSecond,
    'e2e.apiP99Ms': herald.e2e.apiP99Ms,
    'e2e.pgTransactionsPerEvent': herald.e2e.pgTransactionsPerEvent,
    'e2e.redisCommandsPerEvent': herald.e2e.redisCommandsPerEvent,
    'e2e.apiCpuMsPerEvent': herald.e2e.apiCpuMsPerEvent,
    'e2e.workerCpuMsPerEvent': herald.e2e.workerCpuMsPerEvent,
  };
  for (const [name, level] of Object.entries(herald.latency)) {
    flat[`latency.${name}.offeredPerSecond`] = level.offeredPerSecond;
    flat[`latency.${name}.p50Ms`] = level.p50Ms;
    flat[`latency.${name}.p99Ms`] = level.p99Ms;
    flat[`latency.${name}.p999Ms`] = level.p999Ms;
    flat[`latency.${name}.apiP99Ms`] = level.apiP99Ms;
  }
  for (const level of herald.fanout) {
    flat[`fanout.${level.webhooks}.deliveriesPerSecond`] = level.deliveriesPerSecond;
    flat[`fanout.${level.webhooks}.ratioToR1`] = level.deliveriesPerSecond / ref.r1WidePerSecond;
  }
  const growth = herald.growth;
  growth.forEach((level, index) => {
    flat[`growth.levels.${index}.nonMatching`] = level.nonMatching;
    flat[`growth.levels.${index}.eventsPerSecond`] = level.eventsPerSecond;
  });
  // Named for the full run's levels (10 → 100,000); `--quick` grows to 1,000 only.
  flat['growth.ratio100kTo10'] = growth.at(-1)!.eventsPerSecond / growth[0].eventsPerSecond;
  flat['memory.queuedDeliveries'] = herald.memory.queuedDeliveries;
  flat['memory.redisBytesPerQueuedDelivery'] = herald.memory.redisBytesPerQueuedDelivery;
  flat['memory.ratioToR2Job'] =
    herald.memory.redisBytesPerQueuedDelivery / ref.r2.bytesPerQueuedJob;
  flat['memory.workerRssBytesPer1000Queued'] = herald.memory.workerRssBytesPer1000Queued;
  const iso = herald.isolation;
  flat['isolation.offeredEventsPerSecond'] = iso.offeredEventsPerSecond;
  flat['isolation.baselineHealthyPerSecond'] = iso.baseline.healthyDeliveriesPerSecond;
  flat['isolation.stormHealthyPerSecond'] = iso.storm.healthyDeliveriesPerSecond;
  flat['isolation.healthyThroughputRatio'] = iso.healthyThroughputRatio;
  flat['isolation.baselineHealthyP99Ms'] = iso.baseline.healthyP99Ms;
  flat['isolation.stormHealthyP99Ms'] = iso.storm.healthyP99Ms;
  flat['isolation.drainMs'] = iso.drainMs;
  flat['isolation.duplicates'] = iso.duplicates;
  return flat;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const round3 = (value: number) => Number(value.toPrecision(4));

export interface Summary {
  median: Record<string, number>;
  min: Record<string, number>;
  max: Record<string, number>;
}

export function summarise(rounds: RoundResult[]): Summary {
  const flats = rounds.map(flatten);
  const summary: Summary = { median: {}, min: {}, max: {} };
  for (const key of Object.keys(flats[0])) {
    const values = flats.map((flat) => flat[key]).filter((v) => Number.isFinite(v));
    if (values.length === 0) continue;
    summary.median[key] = round3(median(values));
    summary.min[key] = round3(Math.min(...values));
    summary.max[key] = round3(Math.max(...values));
  }
  return summary;
}

/** `{'a.b': 1}` → `{a: {b: 1}}`. */
function nest(flat: Record<string, number>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split('.');
    let node = out as Record<string, unknown>;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts.at(-1)!] = value;
  }
  return out;
}

const TARGETS: [string, string, (s: Summary) => boolean | null][] = [
  ['e2e.ratioToComposite', '≥ 0.7', (s) => s.median['e2e.ratioToComposite'] >= 0.7],
  ['latency.half.p99Ms', '≤ 25 ms', (s) => s.median['latency.half.p99Ms'] <= 25],
  [
    'fanout.100.ratioToR1',
    '≥ 0.7',
    (s) =>
      s.median['fanout.100.ratioToR1'] === undefined
        ? null
        : s.median['fanout.100.ratioToR1'] >= 0.7,
  ],
  ['growth.ratio100kTo10', '≥ 0.9', (s) => s.median['growth.ratio100kTo10'] >= 0.9],
  [
    'isolation.healthyThroughputRatio',
    '≥ 0.8',
    (s) => s.median['isolation.healthyThroughputRatio'] >= 0.8,
  ],
];

function markdown(summary: Summary, info: RunInfo, references: ReferenceResults[]): string {
  const cell = (key: string) => {
    const m = summary.median[key];
    if (m === undefined) return '| – | – |';
    const spread = info.rounds > 1 ? `${summary.min[key]} – ${summary.max[key]}` : 'one round';
    return `| ${m} | ${spread} |`;
  };
  const lines: string[] = [];
  lines.push(
    `# Herald benchmark — ${info.date}${info.quick ? ' (--quick smoke: sizes too small to be numbers)' : ''}`,
  );
  lines.push('');
  lines.push(
    `${info.rounds} round(s), references and Herald alternating (A B A B); medians with min – max over rounds. ` +
      `Run took ${Math.round(info.durationSeconds)} s on ${info.cpus}, Node ${info.node}.`,
  );
  lines.push('');
  lines.push(
    `**Ledger**: sent ${info.ledger.sent} = delivered ${info.ledger.delivered} + pending ${info.ledger.pending}; ` +
      `lost ${info.ledger.lost}, duplicates ${info.ledger.duplicates}, unexpected ${info.ledger.unexpected}` +
      (info.ledger.lost > 0 ? ' — **THE RUN IS VOID** (pairs neither delivered nor pending)' : ''),
  );
  if (references.some((r) => r.receiverIsBottleneck))
    lines.push(
      '',
      '**The receiver is the bottleneck**: it sustained less than 3 × R1 in at least one round.',
    );
  lines.push(
    '',
    '## Targets',
    '',
    '| figure | median | min – max | target | met |',
    '|---|---|---|---|---|',
  );
  for (const [key, target, met] of TARGETS) {
    const verdict = met(summary);
    lines.push(
      `| ${key} ${cell(key)} ${target} | ${verdict === null ? '–' : verdict ? 'yes' : 'no'} |`,
    );
  }
  lines.push('', '## All figures', '', '| metric | median | min – max |', '|---|---|---|');
  for (const key of Object.keys(summary.median)) lines.push(`| ${key} ${cell(key)}`);
  lines.push('', '## Settings', '');
  lines.push(
    `- PostgreSQL: ${Object.entries(info.settings.postgres)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
  );
  lines.push(
    `- Redis: ${Object.entries(info.settings.redis)
      .map(([k, v]) => `${k}=${v || '""'}`)
      .join(', ')}`,
  );
  lines.push(
    `- Herald: ${Object.entries(info.heraldEnv)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
  );
  lines.push(
    '',
    '## Ledger by figure',
    '',
    '| figure | sent | delivered | pending | lost | duplicates |',
    '|---|---|---|---|---|---|',
  );
  for (const [figure, c] of Object.entries(info.ledger.byFigure))
    lines.push(
      `| ${figure} | ${c.sent} | ${c.delivered} | ${c.pending} | ${c.lost} | ${c.duplicates} |`,
    );
  lines.push('');
  return lines.join('\n');
}

/**
 * Everything from this line on in a results file is written by hand (profiles, fixes, before and
 * after) and kept when a later run of the same day rewrites the tables above it.
 */
export const NOTES_MARKER = '<!-- Notes below are written by hand and kept across runs. -->';

function keptNotes(markdownPath: string): string {
  if (!existsSync(markdownPath)) return '';
  const existing = readFileSync(markdownPath, 'utf8');
  const at = existing.indexOf(NOTES_MARKER);
  return at < 0 ? '' : `\n${existing.slice(at)}`;
}

/**
 * Writes `<dir>/<date>.md` (keeping its hand-written notes, see NOTES_MARKER) and
 * `<dir>/latest.json` (formatted as the repository's prettier wants).
 */
export async function writeReport(
  dir: string,
  rounds: RoundResult[],
  info: RunInfo,
): Promise<{ markdownPath: string; jsonPath: string }> {
  const summary = summarise(rounds);
  mkdirSync(dir, { recursive: true });
  const markdownPath = path.join(dir, `${info.date.slice(0, 10)}.md`);
  const notes = keptNotes(markdownPath);
  writeFileSync(
    markdownPath,
    markdown(
      summary,
      info,
      rounds.map((r) => r.references),
    ) + notes,
  );
  const json = {
    ...nest(summary.median),
    ledger: { ...info.ledger, void: info.ledger.lost > 0 },
    receiverIsBottleneck: rounds.some((r) => r.references.receiverIsBottleneck),
    spread: Object.fromEntries(
      Object.keys(summary.median).map((key) => [
        key,
        { min: summary.min[key], max: summary.max[key] },
      ]),
    ),
    run: { ...info, ledger: undefined },
  };
  const jsonPath = path.join(dir, 'latest.json');
  const options = (await prettier.resolveConfig(jsonPath)) ?? {};
  writeFileSync(
    jsonPath,
    await prettier.format(JSON.stringify(json), { ...options, parser: 'json' }),
  );
  return { markdownPath, jsonPath };
}

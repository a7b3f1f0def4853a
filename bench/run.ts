// `npm run bench [-- --quick] [-- --rounds N]`: Herald against the limits of its own parts, on this
// machine, in one invocation (see bench/README.md). Writes bench/results/<date>.md and latest.json.
import { cpus } from 'node:os';
import path from 'node:path';
import { freePort } from '../libs/testing/src/local-services.cjs';
import { startBenchSystem, BENCH_HERALD_ENV } from './herald/bench-system';
import type { BenchContext } from './herald/context';
import { addCounts, EMPTY_COUNTS, type LedgerCounts } from './herald/ledger';
import { runHerald } from './herald/run-herald';
import { startReceiver } from './receiver/receiver-client';
import { runReferences } from './references/run-references';
import { writeReport, type RoundResult } from './report';
import { FULL, QUICK } from './sizes';

/** Herald's product defaults for these two (libs/config): the references run at the same. */
const DELIVERY_CONCURRENCY = 50;
const MAX_IN_FLIGHT_PER_ENDPOINT = 4;

function parseArgs(argv: string[]) {
  const quick = argv.includes('--quick');
  const roundsAt = argv.indexOf('--rounds');
  const sizes = { ...(quick ? QUICK : FULL) };
  if (roundsAt >= 0) sizes.rounds = Math.max(1, Number(argv[roundsAt + 1]));
  const outAt = argv.indexOf('--out');
  const out = outAt >= 0 ? argv[outAt + 1] : path.join(__dirname, 'results');
  return { quick, sizes, out };
}

async function main(): Promise<void> {
  const { quick, sizes, out } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const log = (line: string) =>
    process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`);
  const [system, receiver] = await Promise.all([
    startBenchSystem(log),
    freePort().then((port) => startReceiver(port)),
  ]);
  // PostgreSQL and Redis run detached: on Ctrl-C, stop what this run started before leaving.
  process.once('SIGINT', () => {
    log('interrupted: stopping Herald, the receiver, PostgreSQL and Redis');
    void Promise.allSettled([receiver.close(), system.close()]).then(() => process.exit(130));
  });
  const ledger: LedgerCounts & { byFigure: Record<string, LedgerCounts> } = {
    ...EMPTY_COUNTS,
    byFigure: {},
  };
  const rounds: RoundResult[] = [];
  try {
    log(
      `Herald is up (API ${system.api.url}, worker PID ${system.worker.pid}); ${sizes.rounds} round(s)`,
    );
    for (let round = 1; round <= sizes.rounds; round += 1) {
      log(`round ${round}: references (receiver, R1, R2, R3)`);
      const references = await runReferences(
        receiver,
        { redis: system.redis.url, postgres: system.postgres.url },
        {
          deliveryConcurrency: DELIVERY_CONCURRENCY,
          maxInFlightPerEndpoint: MAX_IN_FLIGHT_PER_ENDPOINT,
        },
        sizes,
      );
      log(
        `  receiver ${references.receiverPerSecond.toFixed(0)}/s, R1 ${references.r1PerSecond.toFixed(0)}/s ` +
          `(wide ${references.r1WidePerSecond.toFixed(0)}/s), R2 ${references.r2.jobsPerSecond.toFixed(0)}/s, ` +
          `R3 ${references.r3.singleRowPerSecond.toFixed(0)}/s, C ${references.compositePerSecond.toFixed(0)}/s`,
      );
      log(`round ${round}: Herald`);
      const context: BenchContext = {
        system,
        receiver,
        sizes,
        round,
        log,
        addLedger(figure, counts) {
          ledger.byFigure[`r${round} ${figure}`] = counts;
          Object.assign(ledger, addCounts(ledger, counts));
        },
      };
      const herald = await runHerald(context, Number(BENCH_HERALD_ENV.HERALD_DELIVERY_TIMEOUT_MS));
      rounds.push({ references, herald });
    }
    const receiverStats = await receiver.stats();
    if (receiverStats.failed > 0)
      throw new Error(
        `${receiverStats.failed} of ${receiverStats.checked} sampled signatures failed`,
      );
    const date = new Date().toISOString();
    const { markdownPath, jsonPath } = await writeReport(out, rounds, {
      date,
      quick,
      rounds: rounds.length,
      durationSeconds: (Date.now() - started) / 1000,
      node: process.version,
      cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
      settings: system.settings,
      heraldEnv: { ...BENCH_HERALD_ENV },
      ledger,
    });
    log(`sampled signatures verified: ${receiverStats.checked}, failed 0`);
    log(`wrote ${markdownPath} and ${jsonPath}`);
    if (ledger.lost > 0) {
      log(`THE RUN IS VOID: ${ledger.lost} pairs neither delivered nor pending`);
      process.exitCode = 1;
    }
  } finally {
    await receiver.close();
    await system.close();
  }
}

main().then(
  // Exit even if a library left a handle open: the servers are stopped by then.
  () => process.exit(process.exitCode ?? 0),
  (error) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
    process.exit(1);
  },
);

import { Logger } from '@nestjs/common';
import { HERALD_EVENTS_CHANNEL } from '@herald/event-store';
import { Client } from 'pg';
import { pause } from './pause';

/** Name of the relay's session advisory lock (PostgreSQL hashes it to the lock's bigint key). */
export const RELAY_LOCK = 'herald-relay';

const FIRST_RECONNECT_DELAY_MS = 250;

export interface RelayLeadershipOptions {
  databaseUrl: string;
  /** How often a standby tries the lock again; also the cap of the reconnect backoff. */
  standbyRetryMs: number;
  /** Called for every NOTIFY on the events channel and when leadership is taken. */
  onWake: () => void;
}

/**
 * Decides which worker's relay is the active one, over a dedicated PostgreSQL session (not a pool
 * connection) that takes the session advisory lock `herald-relay` and then LISTENs on the events
 * channel.
 *
 * Guarantees: at most one session per database holds the lock, so at most one relay is leader at a
 * time (a leader's in-flight pass may overlap a successor's briefly after a connection loss, which
 * is harmless: job ids make enqueues idempotent and checkpoints only move forward). When the session
 * dies, PostgreSQL releases the lock, `isLeader` turns false, and this reconnects with exponential
 * backoff; standbys retry the lock every `standbyRetryMs`. LISTEN starts before the leader's first
 * wake-up, so no NOTIFY sent after that wake-up is missed.
 */
export class RelayLeadership {
  private readonly logger = new Logger('Relay');
  private readonly stopSignal = new AbortController();
  private client: Client | null = null;
  private running: Promise<void> | null = null;
  private leader = false;
  private standingBy = false;
  private stopping = false;
  private failures = 0;

  constructor(private readonly options: RelayLeadershipOptions) {}

  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Ends the session (releasing the lock) and waits for the loop to finish. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopSignal.abort();
    await this.client?.end().catch(() => undefined);
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.holdSession();
      } catch (error) {
        if (!this.stopping) this.sessionLost(error);
      }
      this.setLeader(false);
      if (this.stopping) break;
      const delay = Math.min(
        FIRST_RECONNECT_DELAY_MS * 2 ** Math.max(0, this.failures - 1),
        this.options.standbyRetryMs,
      );
      await pause(delay, this.stopSignal.signal);
    }
  }

  /** Connects, takes the lock (waiting as a standby), LISTENs, and returns or throws when the session ends. */
  private async holdSession(): Promise<void> {
    const client = new Client({
      connectionString: this.options.databaseUrl,
      application_name: 'herald-relay',
      keepAlive: true,
    });
    this.client = client;
    const lost = new Promise<never>((_, reject) => {
      client.on('error', reject);
      client.on('end', () => reject(new Error('the connection closed')));
    });
    lost.catch(() => undefined);
    try {
      await Promise.race([client.connect(), lost]);
      this.sessionRestored();
      while (!this.stopping && !(await this.tryLock(client))) {
        await Promise.race([pause(this.options.standbyRetryMs, this.stopSignal.signal), lost]);
      }
      if (this.stopping) return;
      client.on('notification', () => this.options.onWake());
      await client.query(`LISTEN ${HERALD_EVENTS_CHANNEL}`);
      this.setLeader(true);
      await lost;
    } finally {
      this.client = null;
      await client.end().catch(() => undefined);
    }
  }

  private async tryLock(client: Client): Promise<boolean> {
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
      [RELAY_LOCK],
    );
    const locked = rows[0]?.locked === true;
    if (!locked && !this.standingBy) {
      this.logger.log('Another worker runs the relay: standing by');
      this.standingBy = true;
    }
    return locked;
  }

  private setLeader(leader: boolean): void {
    if (leader === this.leader) return;
    this.leader = leader;
    if (!leader) return;
    this.standingBy = false;
    this.logger.log('This worker runs the relay');
    this.options.onWake();
  }

  /** Logs once per outage, not once per reconnect attempt. */
  private sessionLost(error: unknown): void {
    this.failures += 1;
    if (this.failures === 1) {
      this.logger.warn(
        `Relay's PostgreSQL session failed (${(error as Error).message}); reconnecting with backoff`,
      );
    }
  }

  private sessionRestored(): void {
    if (this.failures > 0) this.logger.log('Relay reconnected to PostgreSQL');
    this.failures = 0;
  }
}

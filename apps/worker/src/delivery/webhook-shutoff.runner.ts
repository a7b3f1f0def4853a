import { Inject, Injectable, Logger } from '@nestjs/common';
import { PostgresEventStore } from '@herald/event-store';
import { EVENT_STORE } from '@herald/projections';
import { DataSource } from 'typeorm';
import { endFailingRun } from './failing-run';
import { turnWebhookOff, type WebhookShutoff } from './webhook-shutoff';

/** Tries of one turn-off (a concurrent change to the webhook's stream, a lost connection). */
export const SHUTOFF_TRIES = 5;
const PAUSE_BETWEEN_TRIES_MS = 50;

export interface PendingShutoff extends WebhookShutoff {
  /** For `failing`: turn off only if the run still started at or before this instant. */
  readonly failingSinceAtMost?: Date;
}

/**
 * Turns a webhook off after the attempt that called for it has been committed, in a transaction
 * of its own, so nothing here can roll an attempt back (and make the job send it again).
 *
 * Guarantees: never rejects. Each try folds the stream afresh and is idempotent (a webhook already
 * off, deleted or unknown is left as it is; a `failing` run that ended meanwhile — a success came
 * in — turns nothing off); it ends the failing run with the turn-off. Tries up to `SHUTOFF_TRIES`
 * times; if all fail it logs an error and returns false, and the next failure or 410 of the
 * webhook asks again (its run is kept).
 */
@Injectable()
export class WebhookShutoffRunner {
  private readonly logger = new Logger('Deliveries');

  constructor(
    private readonly dataSource: DataSource,
    @Inject(EVENT_STORE) private readonly eventStore: PostgresEventStore,
  ) {}

  /** Whether this call turned the webhook off. */
  async turnOff(shutoff: PendingShutoff): Promise<boolean> {
    for (let tries = 1; ; tries += 1) {
      try {
        const turnedOff = await this.dataSource.transaction((tx) => this.tryOnce(tx, shutoff));
        if (turnedOff) await this.eventStore.notifyAppended();
        return turnedOff;
      } catch (error) {
        if (tries < SHUTOFF_TRIES) {
          await new Promise((resolve) => setTimeout(resolve, PAUSE_BETWEEN_TRIES_MS * tries));
          continue;
        }
        this.logger.error(
          `Webhook ${shutoff.webhookId}: could not be turned off (${shutoff.reason}) after ${tries} tries; the attempt stays recorded and the next failure asks again: ${error instanceof Error ? error.message : String(error)}`,
        );
        return false;
      }
    }
  }

  private async tryOnce(
    tx: Parameters<typeof turnWebhookOff>[1],
    shutoff: PendingShutoff,
  ): Promise<boolean> {
    if (shutoff.failingSinceAtMost !== undefined) {
      const [run] = await tx.query<unknown[]>(
        `SELECT 1 FROM webhook_failures WHERE webhook_id = $1 AND failing_since <= $2 FOR UPDATE`,
        [shutoff.webhookId, shutoff.failingSinceAtMost],
      );
      if (run === undefined) return false;
    }
    const turnedOff = await turnWebhookOff(this.eventStore, tx, shutoff);
    await endFailingRun(tx, shutoff.webhookId);
    return turnedOff;
  }
}

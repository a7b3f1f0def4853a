import type * as hdr from 'hdr-histogram-js';
import { performance } from 'node:perf_hooks';
import { ApiClient, postChange } from './api-client';
import { newHistogram, recordMs } from './latency';

export interface GeneratedLoad {
  eventIds: string[];
  /** Epoch ms when the first request was due and when the last answer came. */
  startedAt: number;
  endedAt: number;
  /** API answers (202) per second over the run. */
  acceptedPerSecond: number;
  /** API latency from each request's *scheduled* time (open loop) or send time (closed loop). */
  api: hdr.Histogram;
  errors: number;
}

const nowMs = () => performance.timeOrigin + performance.now();

/**
 * Open loop: request i is due at start + i/rate whether or not earlier ones have answered, and its
 * latency counts from that due time, so a stall shows up as latency instead of hiding as fewer
 * requests (no coordinated omission).
 */
export async function openLoop(
  api: ApiClient,
  apiKey: string,
  change: (index: number) => unknown,
  rate: number,
  durationMs: number,
): Promise<GeneratedLoad> {
  const total = Math.max(1, Math.round((rate * durationMs) / 1000));
  const histogram = newHistogram();
  const eventIds: string[] = [];
  const inFlight: Promise<void>[] = [];
  let errors = 0;
  const startedAt = nowMs();
  for (let i = 0; i < total; i += 1) {
    const due = startedAt + (i * 1000) / rate;
    const wait = due - nowMs();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(
      postChange(api, apiKey, change(i)).then(
        (eventId) => {
          recordMs(histogram, nowMs() - due);
          eventIds.push(eventId);
        },
        () => void (errors += 1),
      ),
    );
  }
  await Promise.all(inFlight);
  const endedAt = nowMs();
  return {
    eventIds,
    startedAt,
    endedAt,
    acceptedPerSecond: eventIds.length / ((endedAt - startedAt) / 1000),
    api: histogram,
    errors,
  };
}

/** Closed loop: `concurrency` clients post back to back for `durationMs` — the saturating load. */
export async function closedLoop(
  api: ApiClient,
  apiKey: string,
  change: (index: number) => unknown,
  concurrency: number,
  durationMs: number,
  maxRequests = Infinity,
): Promise<GeneratedLoad> {
  const histogram = newHistogram();
  const eventIds: string[] = [];
  let errors = 0;
  let index = 0;
  const startedAt = nowMs();
  const deadline = startedAt + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (nowMs() < deadline && index < maxRequests) {
        const sent = nowMs();
        index += 1;
        try {
          eventIds.push(await postChange(api, apiKey, change(index)));
          recordMs(histogram, nowMs() - sent);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const endedAt = nowMs();
  return {
    eventIds,
    startedAt,
    endedAt,
    acceptedPerSecond: eventIds.length / ((endedAt - startedAt) / 1000),
    api: histogram,
    errors,
  };
}

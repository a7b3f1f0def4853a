import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { WorkerHost } from '@nestjs/bullmq';
import { HERALD_QUEUES } from '@herald/queues';
import { processorProblems } from './processor-problems';

/**
 * The key under which `@Processor()` of @nestjs/bullmq records its queue (the package does not
 * export its constants; queue-processors.spec.ts proves the key still matches).
 */
export const PROCESSOR_METADATA = 'bullmq:processor_metadata';

interface FoundProcessor {
  className: string;
  queue: string;
  instance: unknown;
}

/**
 * Guarantees of the worker's queues:
 * - At start, each Herald queue has exactly one processor and no processor listens on another
 *   queue; otherwise the start fails with an error naming the queues (two processors on one queue
 *   would split its jobs between two different handlers; none would leave them waiting forever).
 *   Any worker @nestjs/bullmq already started is closed first, so a failed start runs no job.
 * - At shutdown, before the queues, Redis and PostgreSQL connections close, every processor's
 *   worker stops taking jobs and waits for its in-flight jobs to finish (`worker.close()`).
 */
@Injectable()
export class QueueProcessors implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Queues');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  async onModuleInit(): Promise<void> {
    const found = this.findProcessors();
    const problems = processorProblems(HERALD_QUEUES, found);
    if (problems.length === 0) return;
    await this.closeWorkers(found);
    throw new Error(`Queue processors are misconfigured: ${problems.join('; ')}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.closeWorkers(this.findProcessors());
  }

  private findProcessors(): FoundProcessor[] {
    return this.discovery.getProviders().flatMap((wrapper) => {
      const target = processorClassOf(wrapper);
      const metadata = target
        ? this.reflector.get<{ name?: string } | undefined>(PROCESSOR_METADATA, target)
        : undefined;
      if (!target || !metadata) return [];
      return [
        { className: target.name, queue: metadata.name ?? 'default', instance: wrapper.instance },
      ];
    });
  }

  private async closeWorkers(found: readonly FoundProcessor[]): Promise<void> {
    await Promise.all(
      found.map(async ({ className, instance }) => {
        const worker = startedWorkerOf(instance);
        if (!worker) return;
        try {
          await worker.close();
        } catch (error) {
          this.logger.warn(
            `Closing the worker of ${className} failed: ${(error as Error).message}`,
          );
        }
      }),
    );
  }
}

/** The class a provider stands for, found the way @nestjs/bullmq finds processors. */
function processorClassOf(
  wrapper: InstanceWrapper,
): (abstract new (...args: never[]) => unknown) | null {
  const instance = wrapper.instance as object | undefined;
  const target = !wrapper.metatype || wrapper.inject ? instance?.constructor : wrapper.metatype;
  return typeof target === 'function'
    ? (target as abstract new (...args: never[]) => unknown)
    : null;
}

function startedWorkerOf(instance: unknown): WorkerHost['worker'] | null {
  if (!(instance instanceof WorkerHost)) return null;
  try {
    return instance.worker;
  } catch {
    return null; // @nestjs/bullmq has not registered it (yet): nothing runs.
  }
}

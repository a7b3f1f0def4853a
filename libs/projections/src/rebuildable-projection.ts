import type { InlineProjection } from '@herald/event-store';
import type { EntityManager } from 'typeorm';

/** An inline projection that can be rebuilt from the events alone: it owns `tables` outright. */
export interface RebuildableProjection extends InlineProjection<EntityManager> {
  /** Tables emptied before a rebuild; nothing but this projection writes them. */
  readonly tables: readonly string[];
}

import type { MigrationInterface } from 'typeorm';
import { EventStore1795695380634 } from './1795695380634-EventStore';
import { UsersAndKeys1795695400000 } from './1795695400000-UsersAndKeys';
import { WebhooksAndDeliveries1795695500000 } from './1795695500000-WebhooksAndDeliveries';
import { WebhookSubscribedPosition1795695600000 } from './1795695600000-WebhookSubscribedPosition';

export type MigrationClass = new () => MigrationInterface;

/**
 * Every migration of the Herald database, oldest first. Append new ones at the end; never
 * reorder or edit one that has shipped (TypeORM records them by name).
 */
export const migrations: MigrationClass[] = [
  EventStore1795695380634,
  UsersAndKeys1795695400000,
  WebhooksAndDeliveries1795695500000,
  WebhookSubscribedPosition1795695600000,
];

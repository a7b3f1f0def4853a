import type { HeraldConfig } from '@herald/config';
import { validateWebhookUrl } from '@herald/delivery';
import { createCatalog, InvalidInput, type Catalog, type WebhookActor } from '@herald/domain';
import type { Principal } from '../auth/principal';

const catalogs = new WeakMap<HeraldConfig, Catalog>();

/**
 * The configured catalog (HERALD_ENTITIES × HERALD_OPERATIONS), built once per configuration. The
 * API builds it at start (WebhooksModule), so a catalog the domain refuses (e.g. an entity named
 * ApiKey) stops the process instead of failing every request.
 */
export function configuredCatalog(config: HeraldConfig): Catalog {
  let catalog = catalogs.get(config);
  if (!catalog) {
    try {
      catalog = createCatalog(config.catalog.entities, config.catalog.operations);
    } catch (error) {
      if (!(error instanceof InvalidInput)) throw error;
      const variable = error.field === 'entities' ? 'HERALD_ENTITIES' : 'HERALD_OPERATIONS';
      throw new Error(`${variable} ${error.reason}`, { cause: error });
    }
    catalogs.set(config, catalog);
  }
  return catalog;
}

/**
 * The full subscribe-time URL check, SSRF guard included (the domain only keeps obviously wrong
 * values out of events). Throws `InvalidInput('url', …)`, a 422 naming `url`.
 */
export function requireAllowedWebhookUrl(url: string, config: HeraldConfig): string {
  const checked = validateWebhookUrl(url, {
    allowPrivateTargets: config.allowPrivateTargets,
    allowedSubnets: config.allowedSubnets,
  });
  if (!checked.ok) throw new InvalidInput('url', checked.reason);
  return url;
}

/** The caller as the webhook domain sees them. */
export function webhookActor(principal: Principal): WebhookActor {
  return { actorId: principal.userId, actorRole: principal.role };
}

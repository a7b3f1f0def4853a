/** The worker's one undici dispatcher for webhook POSTs (`createDeliveryAgent`): SSRF-guarded, keep-alive. */
export const DELIVERY_AGENT = Symbol('DELIVERY_AGENT');

/**
 * The resolver (`LookupAll`) behind DELIVERY_AGENT's SSRF guard: the system's DNS, bounded by the
 * delivery deadline. A provider of its own so that tests can stand in for DNS (e.g. a name that
 * resolves to loopback only at send time) while the agent and its policy stay wired as in
 * production.
 */
export const DELIVERY_DNS_LOOKUP = Symbol('DELIVERY_DNS_LOOKUP');

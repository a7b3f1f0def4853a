/** The worker's one undici dispatcher for webhook POSTs (`createDeliveryAgent`): SSRF-guarded, keep-alive. */
export const DELIVERY_AGENT = Symbol('DELIVERY_AGENT');

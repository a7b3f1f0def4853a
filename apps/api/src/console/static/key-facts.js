import { h } from './dom.js';
import { timeElement } from './format.js';

/**
 * The facts of one person's API key, as both API Access and API Management show them:
 * on/off, the key prefix, when it was last regenerated, and when it was turned off (`offLabel`).
 */
export function keyFacts(access, offLabel) {
  const fact = (term, value, attributes = {}) =>
    h('div', {}, h('dt', {}, term), h('dd', attributes, value));
  return h(
    'dl',
    { class: 'facts' },
    fact('API access', access.enabled ? 'On' : 'Off', { 'data-testid': 'api-access-state' }),
    fact('Key prefix', access.keyPrefix ? `${access.keyPrefix}…` : '—', { class: 'mono' }),
    fact('Last regenerated', timeElement(access.lastRegeneratedAt)),
    !access.enabled && access.clearedAt ? fact(offLabel, timeElement(access.clearedAt)) : null,
  );
}

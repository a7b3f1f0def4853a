import { api } from './api.js';
import { h, replaceChildren, uid } from './dom.js';
import {
  DELIVERY_STATUSES,
  STATUS_REASONS,
  deliveryReason,
  plural,
  timeElement,
} from './format.js';

const RECENT_DELIVERIES = 5;

/**
 * Webhook cards: URL, Entity, Operation Type, a Status switch and the recent deliveries, each with
 * its attempts on request. `statusPath(webhook)` is where the switch PATCHes `{status}` (the
 * owner's route or the admin's).
 */
export function webhookList(webhooks, { ctx, statusPath, emptyText }) {
  if (webhooks.length === 0) return h('p', { class: 'empty' }, emptyText);
  return h(
    'ul',
    { class: 'cards', role: 'list' },
    webhooks.map((webhook) => h('li', {}, webhookCard(webhook, { ctx, statusPath }))),
  );
}

function webhookCard(webhook, { ctx, statusPath }) {
  const titleId = uid('webhook');
  const reasonId = uid('reason');
  const reason = h('span', { id: reasonId, class: 'muted' });
  const deliveries = h(
    'div',
    { class: 'deliveries' },
    h('p', { class: 'muted' }, 'Loading deliveries…'),
  );
  const toggle = statusSwitch(webhook, {
    ctx,
    statusPath,
    reason,
    label: `Status of ${webhook.url}`,
    describedBy: reasonId,
  });
  showReason(reason, webhook);

  const card = h(
    'article',
    { class: 'card webhook', 'aria-labelledby': titleId, 'data-webhook-id': webhook.id },
    h(
      'dl',
      { class: 'facts' },
      h('div', {}, h('dt', {}, 'URL'), h('dd', { id: titleId, class: 'url' }, webhook.url)),
      h(
        'div',
        {},
        h('dt', {}, 'Entity'),
        h('dd', {}, webhook.entity === '*' ? 'Any entity (*)' : webhook.entity),
      ),
      h(
        'div',
        {},
        h('dt', {}, 'Operation Type'),
        h('dd', {}, webhook.operation === '*' ? 'Any operation (*)' : webhook.operation),
      ),
      h('div', {}, h('dt', {}, 'Status'), h('dd', { class: 'status-cell' }, toggle, reason)),
    ),
    h('h3', { class: 'subheading' }, 'Recent deliveries'),
    deliveries,
  );
  void loadDeliveries(webhook, deliveries, ctx);
  return card;
}

function showReason(element, webhook) {
  const why = webhook.statusReason && STATUS_REASONS[webhook.statusReason];
  element.textContent = webhook.status === 'off' && why ? `Off: ${why}` : '';
}

/** A button with role="switch": Space or Enter flips it, aria-checked tells its state. */
function statusSwitch(webhook, { ctx, statusPath, reason, label, describedBy }) {
  const text = h('span', { class: 'switch-text', 'aria-hidden': 'true' });
  const button = h(
    'button',
    {
      type: 'button',
      role: 'switch',
      class: 'switch',
      'aria-label': label,
      'aria-describedby': describedBy,
    },
    h(
      'span',
      { class: 'switch-track', 'aria-hidden': 'true' },
      h('span', { class: 'switch-thumb' }),
    ),
    text,
  );
  const show = (status) => {
    button.setAttribute('aria-checked', String(status === 'on'));
    text.textContent = status === 'on' ? 'On' : 'Off';
  };
  show(webhook.status);
  button.addEventListener('click', async () => {
    const next = webhook.status === 'on' ? 'off' : 'on';
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      const updated = await api(statusPath(webhook), { method: 'PATCH', body: { status: next } });
      Object.assign(webhook, updated);
      show(webhook.status);
      showReason(reason, webhook);
      ctx.say(`Webhook ${webhook.url} is now ${webhook.status === 'on' ? 'on' : 'off'}.`);
    } catch (error) {
      show(webhook.status);
      ctx.fail(error, `The webhook could not be turned ${next}`);
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
      button.focus();
    }
  });
  return button;
}

async function loadDeliveries(webhook, container, ctx) {
  try {
    const page = await api(
      `/v1/webhooks/${encodeURIComponent(webhook.id)}/deliveries?limit=${RECENT_DELIVERIES}`,
    );
    replaceChildren(container, deliveriesTable(webhook, page.items, ctx));
  } catch (error) {
    replaceChildren(
      container,
      h('p', { class: 'inline-error' }, `Deliveries could not be loaded: ${error.message}`),
    );
  }
}

function deliveriesTable(webhook, deliveries, ctx) {
  if (deliveries.length === 0) return h('p', { class: 'muted' }, 'No deliveries yet.');
  const body = h('tbody');
  for (const delivery of deliveries) {
    const attemptsRow = h('tr', { class: 'attempts-row', hidden: true }, h('td', { colspan: '5' }));
    const attemptsId = uid('attempts');
    attemptsRow.id = attemptsId;
    const button = h(
      'button',
      {
        type: 'button',
        class: 'link-button',
        'aria-expanded': 'false',
        'aria-controls': attemptsId,
        disabled: delivery.attemptCount === 0,
      },
      delivery.attemptCount === 0 ? 'None yet' : 'Show attempts',
    );
    button.addEventListener('click', () =>
      toggleAttempts(webhook, delivery, button, attemptsRow, ctx),
    );
    const status = DELIVERY_STATUSES[delivery.status] ?? delivery.status;
    const why = deliveryReason(delivery.reason);
    body.append(
      h(
        'tr',
        {},
        h('td', { 'data-label': 'Event' }, delivery.type),
        h(
          'td',
          { 'data-label': 'Status' },
          h('span', { class: `badge badge-${delivery.status}` }, status),
          why ? h('span', { class: 'muted' }, ` (${why})`) : null,
        ),
        h('td', { 'data-label': 'Attempts' }, String(delivery.attemptCount)),
        h('td', { 'data-label': 'Time' }, timeElement(delivery.createdAt)),
        h('td', { 'data-label': 'Details' }, button),
      ),
      attemptsRow,
    );
  }
  return h(
    'table',
    { class: 'deliveries-table' },
    h('caption', { class: 'visually-hidden' }, `Recent deliveries to ${webhook.url}`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Event'),
        h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col' }, 'Attempts'),
        h('th', { scope: 'col' }, 'Time'),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Details')),
      ),
    ),
    body,
  );
}

async function toggleAttempts(webhook, delivery, button, row, ctx) {
  const open = button.getAttribute('aria-expanded') === 'true';
  if (open) {
    button.setAttribute('aria-expanded', 'false');
    button.textContent = 'Show attempts';
    row.hidden = true;
    return;
  }
  const cell = row.firstElementChild;
  replaceChildren(cell, h('p', { class: 'muted' }, 'Loading attempts…'));
  row.hidden = false;
  button.setAttribute('aria-expanded', 'true');
  button.textContent = 'Hide attempts';
  try {
    const detail = await api(
      `/v1/webhooks/${encodeURIComponent(webhook.id)}/deliveries/${encodeURIComponent(delivery.id)}`,
    );
    replaceChildren(cell, attemptsList(detail));
  } catch (error) {
    replaceChildren(
      cell,
      h('p', { class: 'inline-error' }, `Attempts could not be loaded: ${error.message}`),
    );
    if (error.status === 401) ctx.fail(error);
  }
}

function attemptsList(detail) {
  const next = detail.nextAttemptAt
    ? h('p', { class: 'muted' }, 'Next attempt: ', timeElement(detail.nextAttemptAt))
    : null;
  if (detail.attempts.length === 0) return [h('p', { class: 'muted' }, 'No attempts yet.'), next];
  return [
    h(
      'ol',
      {
        class: 'attempts',
        'aria-label': `${plural(detail.attempts.length, 'attempt')} of this delivery`,
      },
      detail.attempts.map((attempt) =>
        h(
          'li',
          {},
          h('strong', {}, `Attempt ${attempt.number}: `),
          attempt.statusCode !== null
            ? `HTTP ${attempt.statusCode}${attempt.statusCode >= 200 && attempt.statusCode < 300 ? ' (success)' : ''}`
            : `no response${attempt.error ? ` (${attempt.error})` : ''}`,
          attempt.statusCode !== null && attempt.error ? ` (${attempt.error})` : '',
          ` · ${attempt.durationMs} ms · `,
          timeElement(attempt.startedAt, { withSeconds: true }),
        ),
      ),
    ),
    next,
  ];
}

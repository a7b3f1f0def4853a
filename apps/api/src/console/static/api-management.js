import { api } from './api.js';
import { confirmDialog } from './dialog.js';
import { h } from './dom.js';
import { keyFacts } from './key-facts.js';
import { timeElement } from './format.js';
import { webhookList } from './webhooks.js';

const PAGE_SIZE = 50;

/** Advanced Settings → API Management (admins): the people who have API access on. */
export async function renderUserList(view, ctx, { everyone = false } = {}) {
  const rows = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show more');
  const table = h(
    'table',
    { class: 'users-table' },
    h('caption', { class: 'visually-hidden' }, everyone ? 'All users' : 'Users with API access on'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Name'),
        h('th', { scope: 'col' }, 'Email'),
        h('th', { scope: 'col' }, 'Role'),
        h('th', { scope: 'col' }, 'API access'),
        h('th', { scope: 'col' }, 'Key prefix'),
        h('th', { scope: 'col' }, 'Last regenerated'),
      ),
    ),
    rows,
  );
  const filter = h('input', { type: 'checkbox', id: 'show-everyone', checked: everyone });
  filter.addEventListener('change', () =>
    renderUserList(view, ctx, { everyone: filter.checked }).then(() => filter.focus()),
  );
  const results = h('div', {}, h('p', { class: 'muted' }, 'Loading users…'));

  view.replaceChildren(
    h('h1', { tabindex: '-1' }, 'API Management'),
    h(
      'p',
      { class: 'lead' },
      'The people who have turned on API access. Select a person to see their key, clear it, and turn their webhooks on or off.',
    ),
    h(
      'div',
      { class: 'field-inline' },
      filter,
      h('label', { for: 'show-everyone' }, 'Also show people whose API access is off'),
    ),
    results,
  );

  let cursor = null;
  const load = async () => {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (!everyone) query.set('apiAccess', 'enabled');
    if (cursor) query.set('cursor', cursor);
    const page = await api(`/v1/admin/users?${query}`);
    for (const user of page.items) rows.append(userRow(user));
    cursor = page.nextCursor;
    more.hidden = !cursor;
    return page;
  };
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      await load();
    } catch (error) {
      ctx.fail(error, 'More users could not be loaded');
    } finally {
      more.disabled = false;
    }
  });

  try {
    const first = await load();
    if (first.items.length === 0) {
      results.replaceChildren(
        h(
          'p',
          { class: 'empty' },
          everyone ? 'There are no users.' : 'Nobody has API access turned on right now.',
        ),
      );
    } else {
      results.replaceChildren(
        h('div', { class: 'table-wrap' }, table),
        h('div', { class: 'actions' }, more),
      );
    }
  } catch (error) {
    results.replaceChildren(
      h('p', { class: 'inline-error' }, `Users could not be loaded: ${error.message}`),
    );
    if (error.status === 401) ctx.fail(error);
  }
}

function userRow(user) {
  return h(
    'tr',
    {},
    h(
      'th',
      { scope: 'row', 'data-label': 'Name' },
      h(
        'a',
        { href: `#/api-management/users/${encodeURIComponent(user.id)}` },
        user.name || user.email,
      ),
    ),
    h('td', { 'data-label': 'Email', class: 'break' }, user.email),
    h('td', { 'data-label': 'Role' }, user.role === 'admin' ? 'Admin' : 'User'),
    h('td', { 'data-label': 'API access' }, user.apiAccess.enabled ? 'On' : 'Off'),
    h(
      'td',
      { 'data-label': 'Key prefix', class: 'mono' },
      user.apiAccess.keyPrefix ? `${user.apiAccess.keyPrefix}…` : '—',
    ),
    h('td', { 'data-label': 'Last regenerated' }, timeElement(user.apiAccess.lastRegeneratedAt)),
  );
}

/** One person: their key state with Clear API Key, and the webhooks subscribed to them. */
export async function renderUserDetail(view, ctx, userId) {
  view.replaceChildren(
    backLink(),
    h('h1', { tabindex: '-1' }, 'API Management'),
    h('p', { class: 'muted' }, 'Loading…'),
  );
  let user;
  try {
    user = await api(`/v1/admin/users/${encodeURIComponent(userId)}`);
  } catch (error) {
    view.replaceChildren(
      backLink(),
      h('h1', { tabindex: '-1' }, 'API Management'),
      h('p', { class: 'inline-error' }, `This user could not be loaded: ${error.message}`),
    );
    if (error.status === 401) ctx.fail(error);
    return;
  }
  const name = user.name || user.email;
  const access = user.apiAccess;

  const clear = h(
    'button',
    { type: 'button', class: 'danger', 'aria-describedby': 'clear-hint' },
    'Clear API Key',
  );
  clear.addEventListener('click', async () => {
    const confirmed = await confirmDialog({
      title: `Clear the API key of ${name}?`,
      message: `Their key stops working immediately. The user must regenerate to get access again, and their webhooks are paused until then.`,
      confirmLabel: 'Clear API Key',
    });
    if (!confirmed) return;
    clear.disabled = true;
    try {
      await api(`/v1/admin/users/${encodeURIComponent(user.id)}/api-key`, { method: 'DELETE' });
      await renderUserDetail(view, ctx, user.id);
      ctx.say(`The API key of ${name} was cleared. The user must regenerate to get access again.`);
      ctx.focusHeading();
    } catch (error) {
      clear.disabled = false;
      ctx.fail(error, 'The key could not be cleared');
    }
  });

  const webhooksBody = h('div', {}, h('p', { class: 'muted' }, 'Loading webhooks…'));
  view.replaceChildren(
    backLink(),
    h('h1', { tabindex: '-1' }, name),
    h('p', { class: 'lead break' }, user.email, ' · ', user.role === 'admin' ? 'Admin' : 'User'),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'user-key-title' },
      h('h2', { id: 'user-key-title' }, 'API key'),
      keyFacts(access, 'Cleared'),
      access.enabled
        ? h(
            'div',
            { class: 'key-actions' },
            h(
              'p',
              { id: 'clear-hint', class: 'muted' },
              'Clearing stops the key at once; the user must regenerate to get access again.',
            ),
            h('div', { class: 'actions' }, clear),
          )
        : h(
            'p',
            { class: 'muted' },
            'This user has no working key. They must regenerate to get access again; until then their webhooks are paused.',
          ),
    ),
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'user-webhooks-title' },
      h('h2', { id: 'user-webhooks-title' }, `Webhooks subscribed to ${name}`),
      webhooksBody,
    ),
  );

  try {
    const page = await api(`/v1/admin/users/${encodeURIComponent(user.id)}/webhooks?limit=50`);
    webhooksBody.replaceChildren(
      webhookList(page.items, {
        ctx,
        statusPath: (webhook) => `/v1/admin/webhooks/${encodeURIComponent(webhook.id)}`,
        emptyText: `${name} has no webhooks.`,
      }),
    );
  } catch (error) {
    webhooksBody.replaceChildren(
      h('p', { class: 'inline-error' }, `Webhooks could not be loaded: ${error.message}`),
    );
    if (error.status === 401) ctx.fail(error);
  }
}

function backLink() {
  return h(
    'p',
    { class: 'back' },
    h('a', { href: '#/api-management' }, '← All users with API access'),
  );
}

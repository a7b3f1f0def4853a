import { api } from './api.js';
import { confirmDialog } from './dialog.js';
import { h } from './dom.js';
import { keyFacts } from './key-facts.js';
import { webhookList } from './webhooks.js';

/**
 * My Settings & Preferences → API Access: the signed-in user's key (enable, regenerate, turn off)
 * and their webhooks with recent deliveries. A new key is shown once, right after it is issued,
 * and kept nowhere but on this screen.
 */
export async function renderApiAccess(view, ctx, { issuedKey } = {}) {
  const me = ctx.me;
  const access = me.apiAccess;
  const keySection = h(
    'section',
    { class: 'card', 'aria-labelledby': 'key-title' },
    h('h2', { id: 'key-title', tabindex: '-1' }, 'Your API key'),
    keyFacts(access, 'Turned off'),
    issuedKey ? newKeyPanel(issuedKey, ctx) : null,
    access.enabled ? enabledActions(ctx) : disabledActions(ctx),
  );

  const webhooksBody = h('div', {}, h('p', { class: 'muted' }, 'Loading your webhooks…'));
  const webhooksSection = h(
    'section',
    { class: 'section', 'aria-labelledby': 'webhooks-title' },
    h('h2', { id: 'webhooks-title' }, 'Your webhooks'),
    access.enabled
      ? null
      : h(
          'p',
          { class: 'notice' },
          'Your API access is off, so your webhooks are paused: matching events are recorded as skipped and nothing is sent until you enable API access again.',
        ),
    webhooksBody,
  );

  view.replaceChildren(
    h('h1', { tabindex: '-1' }, 'API Access'),
    h(
      'p',
      { class: 'lead' },
      'Your API key lets scripts and integrations call the Herald API as you. Send it in the ',
      h('code', {}, 'X-Api-Key'),
      ' header. Webhooks are subscribed through the API; see the ',
      h('a', { href: '/docs' }, 'API documentation'),
      '.',
    ),
    keySection,
    webhooksSection,
  );

  try {
    const page = await api('/v1/webhooks?limit=50');
    webhooksBody.replaceChildren(
      webhookList(page.items, {
        ctx,
        statusPath: (webhook) => `/v1/webhooks/${encodeURIComponent(webhook.id)}`,
        emptyText:
          'You have no webhooks yet. Subscribe one with POST /v1/webhooks (see the API documentation).',
      }),
    );
  } catch (error) {
    webhooksBody.replaceChildren(
      h('p', { class: 'inline-error' }, `Your webhooks could not be loaded: ${error.message}`),
    );
    if (error.status === 401) ctx.fail(error);
  }
}

function newKeyPanel(apiKey, ctx) {
  const input = h('input', {
    id: 'new-api-key',
    class: 'mono',
    type: 'text',
    readonly: true,
    value: apiKey,
    spellcheck: 'false',
    autocomplete: 'off',
    'aria-describedby': 'new-key-hint',
  });
  const copy = h('button', { type: 'button', class: 'primary' }, 'Copy');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(apiKey);
      ctx.say('API key copied to the clipboard.');
    } catch {
      input.focus();
      input.select();
      ctx.say('Copying is not allowed here: the key is selected, press Ctrl+C (or ⌘C) to copy it.');
    }
  });
  const done = h('button', { type: 'button', class: 'secondary' }, 'I have stored it');
  const panel = h(
    'div',
    { class: 'new-key', role: 'group', 'aria-labelledby': 'new-key-title' },
    h('h3', { id: 'new-key-title' }, 'Your new API key'),
    h(
      'p',
      { id: 'new-key-hint' },
      'Copy it now and store it somewhere safe. This is the only time Herald shows it.',
    ),
    h('label', { for: 'new-api-key', class: 'visually-hidden' }, 'New API key'),
    h('div', { class: 'copy-row' }, input, copy),
    h('div', { class: 'actions' }, done),
  );
  done.addEventListener('click', () => {
    panel.remove();
    document.querySelector('#key-title')?.focus();
  });
  return panel;
}

function disabledActions(ctx) {
  const enable = h('button', { type: 'button', class: 'primary' }, 'Enable API Access');
  enable.addEventListener('click', () =>
    issueKey(ctx, enable, 'API access is on. Copy your new key now.'),
  );
  return h('div', { class: 'actions' }, enable);
}

function enabledActions(ctx) {
  const regenerate = h(
    'button',
    { type: 'button', class: 'primary', 'aria-describedby': 'regenerate-warning' },
    'Regenerate New Key',
  );
  regenerate.addEventListener('click', async () => {
    const confirmed = await confirmDialog({
      title: 'Regenerate your API key?',
      message:
        'Your current key stops working the moment the new one is created: existing links and integrations that use the old key will fail until you update them with the new key.',
      confirmLabel: 'Regenerate New Key',
    });
    if (confirmed)
      await issueKey(
        ctx,
        regenerate,
        'A new key was created and the old key no longer works. Copy the new key now.',
      );
  });
  const turnOff = h('button', { type: 'button', class: 'danger-outline' }, 'Turn Off API Access');
  turnOff.addEventListener('click', async () => {
    const confirmed = await confirmDialog({
      title: 'Turn off API access?',
      message:
        'Your key stops working at once and your webhooks are paused. To use the API again you will need to enable API access, which creates a new key.',
      confirmLabel: 'Turn Off API Access',
    });
    if (!confirmed) return;
    turnOff.disabled = true;
    try {
      await api('/v1/me/api-key', { method: 'DELETE' });
      await ctx.refreshMe();
      await renderApiAccess(ctx.view, ctx);
      ctx.say('API access is off. Your key no longer works.');
      ctx.focusHeading();
    } catch (error) {
      turnOff.disabled = false;
      ctx.fail(error, 'API access could not be turned off');
    }
  });
  return h(
    'div',
    { class: 'key-actions' },
    h(
      'p',
      { class: 'warning', id: 'regenerate-warning' },
      h('strong', {}, 'Warning: '),
      'regenerating replaces your key at once. Existing links and integrations that use the old key will fail.',
    ),
    h('div', { class: 'actions' }, regenerate, turnOff),
  );
}

async function issueKey(ctx, button, message) {
  button.disabled = true;
  try {
    const issued = await api('/v1/me/api-key', { method: 'POST' });
    await ctx.refreshMe();
    await renderApiAccess(ctx.view, ctx, { issuedKey: issued.apiKey });
    ctx.say(message);
    document.getElementById('new-api-key')?.focus();
  } catch (error) {
    button.disabled = false;
    ctx.fail(error, 'A new key could not be created');
  }
}

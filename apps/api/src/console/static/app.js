import { api } from './api.js';
import { renderApiAccess } from './api-access.js';
import { renderUserDetail, renderUserList } from './api-management.js';
import { h } from './dom.js';
import { renderSignIn } from './sign-in.js';

// Screens by location hash, so that links, Back and reloads work without any server routing:
//   #/api-access                      My Settings & Preferences → API Access (everyone)
//   #/api-management                  Advanced Settings → API Management (admins)
//   #/api-management/users/<userId>   one user's key and webhooks (admins)
const DEFAULT_ROUTE = '#/api-access';
const TITLES = { 'api-access': 'API Access', 'api-management': 'API Management' };

const view = document.getElementById('view');
const statusLine = document.getElementById('status');
const errorLine = document.getElementById('error');

const ctx = {
  me: null,
  view,
  /** A success or progress message, announced politely. */
  say(message) {
    errorLine.textContent = '';
    statusLine.textContent = message;
  },
  /** An error in plain words, announced at once; an ended session goes back to sign-in. */
  fail(error, prefix) {
    if (error && error.status === 401 && ctx.me) {
      signedOut('Your session has ended. Sign in again to continue.');
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    statusLine.textContent = '';
    errorLine.textContent = prefix ? `${prefix}. ${message}` : message;
  },
  clearMessages() {
    statusLine.textContent = '';
    errorLine.textContent = '';
  },
  async refreshMe() {
    ctx.me = await api('/v1/me');
    showAccount();
  },
  focusHeading() {
    view.querySelector('h1')?.focus();
  },
};

/**
 * Where to go after signing in: only Herald's own queue dashboard, never another site or page.
 * The URL parser resolves `..`, `%2e%2e` and backslashes first, so none of them can step out.
 */
function nextLocation() {
  const next = new URLSearchParams(location.search).get('next');
  if (!next || !next.startsWith('/') || next.startsWith('//')) return null;
  const target = new URL(next, location.origin);
  const onBoard =
    target.pathname === '/admin/queues' || target.pathname.startsWith('/admin/queues/');
  return target.origin === location.origin && onBoard ? target.pathname + target.search : null;
}

function showAccount() {
  const me = ctx.me;
  const signedIn = Boolean(me);
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('account').hidden = !signedIn;
  document.getElementById('nav-admin').hidden = !(me && me.role === 'admin');
  document.getElementById('account-name').textContent = me
    ? `${me.name || me.email}${me.role === 'admin' ? ' (admin)' : ''}`
    : '';
}

function markCurrentLink(section) {
  for (const link of document.querySelectorAll('#nav a[data-section]')) {
    if (link.dataset.section === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function signedOut(notice) {
  ctx.me = null;
  showAccount();
  showSignIn(notice);
}

function showSignIn(notice) {
  document.title = 'Sign in · Herald';
  ctx.clearMessages();
  renderSignIn(view, {
    notice,
    onSignedIn: async (user) => {
      ctx.me = user;
      const next = nextLocation();
      if (next && user.role === 'admin') {
        location.assign(next);
        return;
      }
      showAccount();
      await route({ focus: true });
      if (next) ctx.fail('The queue dashboard is for admins.');
    },
  });
}

let routing = 0;
async function route({ focus = true } = {}) {
  if (!ctx.me) return showSignIn();
  const hash = location.hash || DEFAULT_ROUTE;
  const [section, sub, id] = hash.replace(/^#\/?/, '').split('/');
  const run = ++routing;
  ctx.clearMessages();
  markCurrentLink(section);
  document.title = `${TITLES[section] ?? 'Herald'} · Herald console`;

  if (section === 'api-management') {
    if (ctx.me.role !== 'admin') {
      view.replaceChildren(
        h('h1', { tabindex: '-1' }, 'API Management'),
        h(
          'p',
          { class: 'notice' },
          'API Management is for admins. Your own key and webhooks are under ',
          h('a', { href: DEFAULT_ROUTE }, 'API Access'),
          '.',
        ),
      );
    } else if (sub === 'users' && id) {
      await renderUserDetail(screenOf(run), ctx, safeDecode(id));
    } else {
      await renderUserList(screenOf(run), ctx);
    }
  } else if (section === 'api-access' || !section) {
    await renderApiAccess(screenOf(run), ctx);
  } else {
    view.replaceChildren(
      h('h1', { tabindex: '-1' }, 'Page not found'),
      h(
        'p',
        {},
        'There is no such page in the console. ',
        h('a', { href: DEFAULT_ROUTE }, 'Go to API Access'),
        '.',
      ),
    );
  }
  if (focus && run === routing) ctx.focusHeading();
}

async function signOut() {
  try {
    await api('/v1/auth/logout', { method: 'POST' });
  } catch (error) {
    if (error.status !== 401) {
      ctx.fail(error, 'Signing out failed');
      return;
    }
  }
  signedOut();
  ctx.say('You have signed out.');
}

async function start() {
  document.getElementById('sign-out').addEventListener('click', signOut);
  window.addEventListener('hashchange', () => route({ focus: true }));
  try {
    ctx.me = await api('/v1/me');
  } catch (error) {
    if (error.status !== 401) {
      showSignIn(`The console could not check your session: ${error.message}`);
      return;
    }
  }
  showAccount();
  if (ctx.me && nextLocation() && ctx.me.role === 'admin') {
    location.assign(nextLocation());
    return;
  }
  await route({ focus: false });
}

void start();

/** A hand-edited hash such as `%E0` must not break routing: it names no user, so the page says so. */
function safeDecode(component) {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}

/**
 * The view as one navigation may draw it: once the person has moved on (a newer route run), a
 * slow answer for the old screen draws nothing, so the page never shows one user while its
 * buttons act on another.
 */
function screenOf(run) {
  return {
    replaceChildren(...nodes) {
      if (run === routing) view.replaceChildren(...nodes);
    },
  };
}

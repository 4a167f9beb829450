// The dashboard's shell: sign-in, the sidebar and a history-based router.
// The daemon answers every path without an extension with index.html, so
// each page has a real URL that survives a reload.

import { h, svg, clear } from './dom.js';
import { getKey, clearKey, onUnauthorized } from './api.js';
import { renderSignIn } from './pages/signin.js';
import { renderCampaigns } from './pages/campaigns.js';
import { renderWizard } from './pages/wizard.js';
import { renderDetail } from './pages/detail.js';
import { renderNumbers } from './pages/numbers.js';
import { renderAgents } from './pages/agents.js';
import { renderDnc } from './pages/dnc.js';
import { renderKeys } from './pages/keys.js';

const ICONS = {
  bulk: 'M4 6h16M4 12h16M4 18h10',
  phone: 'M7 3h3l2 5-2.5 1.5a11 11 0 0 0 5 5L16 12l5 2v3a2 2 0 0 1-2 '
    + '2A16 16 0 0 1 5 5a2 2 0 0 1 2-2z',
  agent: 'M12 3a4 4 0 1 1 0 8 4 4 0 0 1 0-8zM4 21a8 8 0 0 1 16 0',
  dnc: 'M12 3a9 9 0 1 1 0 18 9 9 0 0 1 0-18zM5.6 5.6l12.8 12.8',
  key: 'M14 4a6 6 0 1 1-4.2 10.2L4 20v-3h3v-3h3l-.2-.2A6 6 0 0 1 14 4zm2 '
    + '3.5a1.5 1.5 0 1 0 0 .01',
  out: 'M10 4H5v16h5M15 8l4 4-4 4M19 12H9',
  menu: 'M4 6h16M4 12h16M4 18h16',
};

const NAV = [
  { path: '/bulk-call', label: 'Bulk Call', icon: 'bulk' },
  { path: '/phone-numbers', label: 'Phone Numbers', icon: 'phone' },
  { path: '/agents', label: 'Agents', icon: 'agent' },
  { path: '/do-not-call', label: 'Do-not-call', icon: 'dnc' },
  { path: '/api-keys', label: 'API', icon: 'key' },
];

const ROUTES = [
  { re: /^\/(?:bulk-call)?$/, render: renderCampaigns, nav: '/bulk-call' },
  { re: /^\/bulk-call\/new$/, render: renderWizard, nav: '/bulk-call' },
  { re: /^\/bulk-call\/(\d+)$/, render: renderDetail, nav: '/bulk-call' },
  { re: /^\/phone-numbers$/, render: renderNumbers, nav: '/phone-numbers' },
  { re: /^\/agents$/, render: renderAgents, nav: '/agents' },
  { re: /^\/do-not-call$/, render: renderDnc, nav: '/do-not-call' },
  { re: /^\/api-keys$/, render: renderKeys, nav: '/api-keys' },
];

const app = document.getElementById('app');
let current = null; // {controller} of the page on screen
let shell = null; // {main, sidebar, links, menuButton}
let signInNotice = '';

function icon(name) {
  return svg('svg', { class: 'icon', viewBox: '0 0 24 24', 'aria-hidden':
    'true', focusable: 'false' },
  svg('path', { d: ICONS[name] }));
}

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  route(true);
}

function setMenuOpen(open) {
  if (!shell) return;
  shell.root.classList.toggle('menu-open', open);
  shell.menuButton.setAttribute('aria-expanded', String(open));
}

function signOut(notice = '') {
  clearKey();
  signInNotice = notice;
  navigate('/bulk-call', { replace: true });
}

function buildShell() {
  const links = new Map();
  const nav = h('nav', { class: 'nav', 'aria-label': 'Main' },
    h('ul', {}, NAV.map((item) => {
      const a = h('a', { href: item.path, class: 'nav-link' },
        icon(item.icon), h('span', {}, item.label));
      links.set(item.path, a);
      return h('li', {}, a);
    })));
  const signOutBtn = h('button', { type: 'button', class: 'nav-link signout',
    onclick: () => signOut() }, icon('out'), h('span', {}, 'Sign out'));
  const sidebar = h('aside', { class: 'sidebar', id: 'sidebar' },
    h('div', { class: 'sidebar-inner' },
      h('a', { href: '/bulk-call', class: 'brand' },
        h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, icon('phone')),
        h('span', { class: 'brand-name' }, 'campaignd')),
      nav,
      h('div', { class: 'sidebar-foot' }, signOutBtn)));
  const menuButton = h('button', { type: 'button', class: 'menu-button',
    'aria-controls': 'sidebar', 'aria-expanded': 'false',
    'aria-label': 'Menu',
    onclick: () => {
      const open = !shell.root.classList.contains('menu-open');
      setMenuOpen(open);
      if (open) shell.root.querySelector('.nav-link').focus();
    } },
  icon('menu'));
  const topbar = h('header', { class: 'topbar' }, menuButton,
    h('span', { class: 'brand-name' }, 'campaignd'));
  const scrim = h('div', { class: 'scrim', onclick: () => setMenuOpen(false) });
  const main = h('main', { id: 'main', class: 'main', tabindex: '-1' });
  const root = h('div', { class: 'layout' }, topbar, sidebar, scrim, main);
  clear(app, root);
  app.dataset.state = 'ready';
  shell = { root, main, links, menuButton };
}

function matchRoute(path) {
  for (const r of ROUTES) {
    const m = r.re.exec(path);
    if (m) return { route: r, params: m.slice(1) };
  }
  return null;
}

function notFound(root) {
  clear(root, h('div', { class: 'page' },
    h('h1', { class: 'page-title', tabindex: '-1' }, 'Page not found'),
    h('p', {}, 'There is no page at this address. ',
      h('a', { href: '/bulk-call' }, 'Go to Bulk Call'), '.')));
}

function route(userNavigation = false) {
  if (current) current.controller.abort();
  current = null;
  if (!getKey()) {
    shell = null;
    app.dataset.state = 'signin';
    renderSignIn(app, { notice: signInNotice,
      done: () => { signInNotice = ''; route(true); } });
    return;
  }
  if (!shell) buildShell();
  setMenuOpen(false);
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const found = matchRoute(path);
  for (const [p, a] of shell.links) {
    if (found && found.route.nav === p) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const controller = new AbortController();
  current = { controller };
  const ctx = {
    params: found ? found.params : [],
    query: new URLSearchParams(location.search),
    signal: controller.signal,
    navigate,
  };
  if (!found) notFound(shell.main);
  else found.route.render(shell.main, ctx);
  if (userNavigation) {
    window.scrollTo(0, 0);
    const title = shell.main.querySelector('h1');
    if (title) {
      title.setAttribute('tabindex', '-1');
      title.focus({ preventScroll: true });
    }
  }
}

// Same-origin links navigate without a reload.
document.addEventListener('click', (ev) => {
  if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey
    || ev.shiftKey || ev.altKey) return;
  const a = ev.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  if (url.pathname === location.pathname && url.hash) return;
  ev.preventDefault();
  navigate(url.pathname + url.search);
});

document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape' && shell && shell.root.classList.contains('menu-open')) {
    setMenuOpen(false);
    shell.menuButton.focus();
  }
});

window.addEventListener('popstate', () => route(false));

onUnauthorized((err) => {
  if (!getKey()) return;
  signOut(`You were signed out: ${err.message}. Sign in with a valid API key.`);
});

route(false);

// The operator console (/admin): sign in with an operator key, then rounds,
// moderation, phases, outcomes and publication, project tracking, imports
// and the audit log.
// Thai first, English on request, like the public site; what an operator
// may do is decided by the services, and the console only hides what their
// roles cannot do.
import '../styles.css';
import { clear, h } from '../dom';
import { lang, onLangChange, setLang, t, type Key } from '../i18n';
import { renderAudit } from './audit';
import { renderImports } from './imports';
import { renderModeration } from './moderation';
import { renderOutcomes } from './outcomes';
import { renderProject, renderProjects } from './projects';
import { renderRound } from './round';
import { renderCreateRound, renderRounds } from './rounds';
import { loadSession, operator, session, signIn, signOut } from './session';
import { fieldError, refusal } from './widgets';

const byId = (id: string) => document.getElementById(id) as HTMLElement;
const main = byId('console-main');

const NAV: { hash: string; key: Key }[] = [
  { hash: '#/rounds', key: 'admin.nav.rounds' },
  { hash: '#/projects', key: 'admin.nav.projects' },
  { hash: '#/imports', key: 'admin.nav.imports' },
  { hash: '#/audit', key: 'admin.nav.audit' },
];

function renderChrome(): void {
  document.documentElement.lang = lang();
  document.title = t('admin.title');
  byId('console-brand').textContent = t('admin.brand');
  byId('skip-link').textContent = t('nav.skip');
  const toggle = byId('lang-toggle');
  toggle.textContent = lang() === 'th' ? 'English' : 'ภาษาไทย';
  toggle.setAttribute('lang', lang() === 'th' ? 'en' : 'th');
  const op = operator();
  const nav = byId('console-nav');
  nav.setAttribute('aria-label', t('admin.nav.label'));
  nav.hidden = !op;
  const signOutButton = byId('console-signout');
  signOutButton.hidden = !op;
  signOutButton.textContent = t('admin.signOut');
  byId('console-who').textContent = op
    ? t('admin.signedInAs', { name: op.name, roles: op.roles.map((r) => t(`admin.role.${r}` as Key)).join(', ') })
    : '';
  const current = location.hash.split('?')[0];
  clear(byId('console-nav-list'),
    NAV.map((n) => h('li', null, h('a', { href: n.hash, 'aria-current': current.startsWith(n.hash) ? 'page' : null }, t(n.key)))),
    h('li', null, h('a', { href: '/' }, t('admin.nav.public'))));
}

function renderSignIn(): void {
  const key = h('input', { id: 'operator-key', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true });
  const status = h('div', { id: 'signin-status', role: 'status' });
  clear(main,
    h('h1', { id: 'view-title', tabindex: '-1' }, t('admin.signIn.title')),
    h('p', { class: 'lead' }, t('admin.signIn.lead')),
    h('form', { id: 'signin-form', class: 'stack-form', novalidate: true, onsubmit: async (e: Event) => {
      e.preventDefault();
      const value = key.value.trim();
      fieldError(key, value ? null : t('admin.signIn.needKey'));
      if (!value) { key.focus(); return; }
      clear(status, t('state.sending'));
      try {
        await signIn(value);
        key.value = '';
        if (!location.hash || location.hash === '#/signin') location.hash = '#/rounds';
        else void route();
      } catch (err) {
        clear(status, refusal(err, 'signin-error'));
      }
    } },
      h('div', { class: 'field' }, h('label', { for: 'operator-key' }, t('admin.signIn.key')), key),
      status,
      h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'signin-submit' }, t('admin.signIn.submit')))));
  key.focus();
}

async function route(): Promise<void> {
  renderChrome();
  if (!session()) {
    renderSignIn();
    return;
  }
  const [pathPart, queryPart = ''] = location.hash.slice(1).split('?');
  const parts = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(queryPart);
  if (parts[0] === 'rounds' && parts[1] === 'new') await renderCreateRound(main);
  else if (parts[0] === 'rounds' && parts[1] && parts[2] === 'moderation') await renderModeration(main, parts[1], params);
  else if (parts[0] === 'rounds' && parts[1] && parts[2] === 'outcomes') await renderOutcomes(main, parts[1]);
  else if (parts[0] === 'rounds' && parts[1]) await renderRound(main, parts[1]);
  else if (parts[0] === 'projects' && parts[1]) await renderProject(main, parts[1]);
  else if (parts[0] === 'projects') await renderProjects(main);
  else if (parts[0] === 'imports') await renderImports(main);
  else if (parts[0] === 'audit') await renderAudit(main, params);
  else await renderRounds(main);
  byId('view-title')?.focus();
}

byId('lang-toggle').addEventListener('click', () => setLang(lang() === 'th' ? 'en' : 'th'));
onLangChange(() => void route());
byId('console-signout').addEventListener('click', async () => {
  await signOut().catch(() => undefined);
  location.hash = '#/signin';
  void route();
});
window.addEventListener('hashchange', () => void route());

loadSession()
  .then(() => route())
  .catch((e) => clear(main, refusal(e)));

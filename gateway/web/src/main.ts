import './styles.css';
import { num } from './api';
import { clear, h } from './dom';
import { fmtMillion, fmtYear } from './format';
import { lang, onLangChange, setLang, t, type Key } from './i18n';
import { mountAbout } from './sections/about';
import { mountAgencies } from './sections/agencies';
import { mountBudget } from './sections/budget';
import { mountDistrictMap } from './sections/districtMap';
import { mountExplorer } from './sections/explorer';
import { mountKeywords } from './sections/keywords';
import { mountPb } from './sections/pb';
import { mountStrategies } from './sections/strategies';
import { mountTimeline } from './sections/timeline';
import { mountVoting } from './sections/voting';
import { overview } from './ui';
import { renderProjectsView, renderProjectView } from './projects';
import { renderResultsView } from './results';
import { renderProposalView, renderReceiptView, renderVerifyView } from './views';

const SECTIONS: { id: string; nav: Key }[] = [
  { id: 'strategies', nav: 'nav.strategies' },
  { id: 'timeline', nav: 'nav.timeline' },
  { id: 'budget', nav: 'nav.budget' },
  { id: 'agencies', nav: 'nav.agencies' },
  { id: 'map', nav: 'nav.map' },
  { id: 'explorer', nav: 'nav.explorer' },
  { id: 'keywords', nav: 'nav.keywords' },
  { id: 'vote', nav: 'nav.vote' },
  { id: 'pb', nav: 'nav.pb' },
  { id: 'data', nav: 'nav.data' },
];

const byId = (id: string) => document.getElementById(id) as HTMLElement;

// ---- static text (hero, header) ----
function applyStatic(): void {
  document.documentElement.lang = lang();
  document.title = t('doc.title');
  document.querySelectorAll<HTMLElement>('[data-i18n]').forEach((el) => {
    el.textContent = t(el.dataset.i18n as Key);
  });
  document.querySelectorAll<HTMLElement>('[data-i18n-aria]').forEach((el) => {
    el.setAttribute('aria-label', t(el.dataset.i18nAria as Key));
  });
  const toggle = byId('lang-toggle');
  toggle.textContent = lang() === 'th' ? 'English' : 'ภาษาไทย';
  toggle.setAttribute('lang', lang() === 'th' ? 'en' : 'th');
  toggle.setAttribute('aria-label', lang() === 'th' ? 'Switch to English' : 'เปลี่ยนเป็นภาษาไทย');
  clear(byId('nav-list'), SECTIONS.map((s) => h('li', null, h('a', { href: `#/s/${s.id}`, 'data-section': s.id }, t(s.nav)))));
  clear(byId('footer'),
    h('p', null, t('footer.text')),
    h('p', { class: 'muted small' }, t('footer.data'), ' · ', h('a', { href: '#/s/data' }, t('nav.data')), ' · ', h('a', { href: '#/receipt' }, t('receipt.title')), ' · ', h('a', { href: '#/projects' }, t('projects.title')), ' · #BangkokBudgeting'),
  );
  void heroFact();
}

async function heroFact(): Promise<void> {
  const el = byId('hero-fact');
  try {
    const ov = await overview();
    const years = ov.years ?? [];
    const latest = years[years.length - 1];
    if (!latest) return;
    el.textContent = t('hero.fact', { year: fmtYear(latest.fiscalYear), amount: fmtMillion(num(latest.totalBudgetBaht)) });
  } catch {
    el.textContent = '';
  }
}

byId('lang-toggle').addEventListener('click', () => setLang(lang() === 'th' ? 'en' : 'th'));
document.querySelector('.skip-link')?.addEventListener('click', (e) => {
  e.preventDefault();
  byId('main').focus();
});
onLangChange(applyStatic);
applyStatic();

// ---- sections ----
mountStrategies(byId('strategies'));
mountTimeline(byId('timeline'));
mountBudget(byId('budget'));
mountDistrictMap(byId('map'));
mountAgencies(byId('agencies'));
const explorer = mountExplorer(byId('explorer'));
mountKeywords(byId('keywords'));
const voting = mountVoting(byId('vote'));
mountPb(byId('pb'));
mountAbout(byId('data'));

// ---- hash routing ----
function scrollToSection(id: string): void {
  const sec = document.getElementById(id);
  if (!sec) return;
  sec.scrollIntoView({ block: 'start' });
  const title = document.getElementById(`${id}-title`);
  title?.focus({ preventScroll: true });
}

let lastView = '';
function route(): void {
  const hash = location.hash;
  if (hash && !hash.startsWith('#/')) return; // plain in-page anchors
  const [pathPart, queryPart = ''] = hash.slice(1).split('?');
  const parts = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(queryPart);
  const view = byId('view');
  const home = byId('home');
  const showView = (on: boolean) => {
    view.hidden = !on;
    home.hidden = on;
  };
  if (parts[0] === 'proposals' && parts[1]) {
    showView(true);
    lastView = hash;
    window.scrollTo(0, 0);
    void renderProposalView(view, parts[1], params.get('key') ?? '').then(() => byId('view-title')?.focus());
    return;
  }
  if (parts[0] === 'results' && parts[1] && parts[2]) {
    showView(true);
    lastView = hash;
    window.scrollTo(0, 0);
    void renderResultsView(view, parts[1], parts[2]).then(() => byId('view-title')?.focus());
    return;
  }
  if (parts[0] === 'projects') {
    showView(true);
    lastView = hash;
    window.scrollTo(0, 0);
    const shown = parts[1] ? renderProjectView(view, parts[1]) : renderProjectsView(view, params);
    void shown.then(() => byId('view-title')?.focus());
    return;
  }
  if (parts[0] === 'verify') {
    showView(true);
    lastView = hash;
    window.scrollTo(0, 0);
    renderVerifyView(view);
    byId('view-title')?.focus();
    return;
  }
  if (parts[0] === 'receipt') {
    showView(true);
    lastView = hash;
    window.scrollTo(0, 0);
    void renderReceiptView(view, parts[1] ?? '').then(() => byId('view-title')?.focus());
    return;
  }
  const wasView = lastView !== '';
  lastView = '';
  showView(false);
  if (parts[0] === 'explore') {
    explorer.applyParams(params);
    scrollToSection('explorer');
  } else if (parts[0] === 'vote') {
    voting.applyParams(params);
    scrollToSection('vote');
  } else if (parts[0] === 's' && parts[1]) {
    scrollToSection(parts[1]);
  } else if (wasView) {
    window.scrollTo(0, 0);
  }
}

onLangChange(() => {
  if (lastView) route();
});
window.addEventListener('hashchange', route);
// Clicking a section link that is already the current hash still scrolls there.
document.addEventListener('click', (e) => {
  const a = (e.target as Element).closest?.('a[href^="#/s/"]');
  if (a && a.getAttribute('href') === location.hash) {
    e.preventDefault();
    scrollToSection(location.hash.slice(4));
  }
});
route();

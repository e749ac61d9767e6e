// The 7 strategies of the 20-year plan as cards: sub-dimensions always shown,
// "+" expands each sub-dimension's description and goals (verbatim from the API).
import type { Framework, Strategy } from '../api';
import { clear, h } from '../dom';
import { lang, onLangChange, t } from '../i18n';
import { errorBox, frameworks, loading, empty, sectionHead, strategyName, STRATEGY_COLORS } from '../ui';

export function mountStrategies(el: HTMLElement): void {
  let list: Strategy[] | null = null;
  let policies: Framework | undefined;
  let plan: Framework | undefined;
  let error: unknown = null;
  const open = new Set<string>();

  async function load(): Promise<void> {
    error = null;
    list = null;
    render();
    try {
      const fws = await frameworks();
      plan = fws.find((f) => f.kind === 'FRAMEWORK_KIND_STRATEGIES_7');
      policies = fws.find((f) => f.kind === 'FRAMEWORK_KIND_POLICIES_9');
      list = plan?.strategies ?? [];
    } catch (e) {
      error = e;
    }
    render();
  }

  function card(s: Strategy, i: number): HTMLElement {
    const panelId = `strategy-panel-${s.id}`;
    const isOpen = open.has(s.id);
    const subs = s.subDimensions ?? [];
    const panel = h(
      'div',
      { id: panelId, class: 'strategy-panel', hidden: !isOpen },
      subs.map((d) =>
        h(
          'div',
          { class: 'subdim', 'data-subdim': d.id },
          h('h4', null, d.name ?? d.id),
          d.description ? h('p', { class: 'subdim-desc' }, d.description.trim()) : null,
          d.goals && d.goals.length
            ? [h('p', { class: 'goals-title' }, t('strategies.goals')), h('ul', { class: 'goals' }, d.goals.map((g) => h('li', null, g)))]
            : null,
        ),
      ),
    );
    const btn = h(
      'button',
      {
        type: 'button',
        class: 'plus-btn',
        'aria-expanded': String(isOpen),
        'aria-controls': panelId,
        onclick: () => {
          const now = !open.has(s.id);
          if (now) open.add(s.id);
          else open.delete(s.id);
          btn.setAttribute('aria-expanded', String(now));
          panel.hidden = !now;
          sign.textContent = now ? '−' : '+';
          label.textContent = now ? t('strategies.collapse') : t('strategies.expand');
        },
      },
    );
    const sign = h('span', { class: 'plus-sign', 'aria-hidden': 'true' }, isOpen ? '−' : '+');
    const label = h('span', null, isOpen ? t('strategies.collapse') : t('strategies.expand'));
    btn.append(sign, label, h('span', { class: 'visually-hidden' }, ` ${strategyName(s)}`));
    return h(
      'article',
      { class: 'card strategy-card', 'data-strategy': s.id, style: `--accent:${STRATEGY_COLORS[s.id] ?? '#555'}` },
      h('p', { class: 'strategy-no' }, t('strategies.number', { n: i + 1 })),
      h('h3', null, strategyName(s)),
      s.side ? h('p', { class: 'strategy-side' }, s.side) : null,
      s.issue ? h('p', { class: 'strategy-issue' }, h('span', { class: 'muted' }, t('strategies.issue')), ' ', s.issue) : null,
      h('p', { class: 'subdims-title' }, t('strategies.subdims', { n: subs.length })),
      h('ul', { class: 'chips' }, subs.map((d) => h('li', { class: 'chip' }, d.name ?? d.id))),
      btn,
      panel,
    );
  }

  function render(): void {
    const body: HTMLElement[] = [];
    if (error) body.push(errorBox(error, load));
    else if (!list) body.push(loading());
    else if (list.length === 0) body.push(empty());
    else {
      if (lang() === 'en') body.push(h('p', { class: 'note' }, t('note.thaiContent')));
      body.push(h('div', { class: 'card-grid' }, list.map(card)));
      if (policies?.strategies?.length) {
        body.push(
          h(
            'div',
            { class: 'policies' },
            h('h3', null, t('strategies.policies', { year: policies.firstYear ?? '' })),
            h('p', null, policies.name ?? ''),
            h('ul', { class: 'chips' }, policies.strategies.map((p) => h('li', { class: 'chip' }, p.name ?? p.id))),
          ),
        );
      }
    }
    clear(
      el,
      h(
        'div',
        { class: 'wrap' },
        sectionHead('strategies', 'strategies.title', undefined, plan?.name ? h('p', { class: 'lead' }, plan.name) : h('p', { class: 'lead' }, t('strategies.lead'))),
        body,
      ),
    );
  }

  onLangChange(render);
  void load();
}

// Implementation tracking (ติดตามโครงการ): what happened to the projects
// citizens voted for. All projects with filters (#/projects?round=&district=
// &status=&agency=), a project's page with its timeline (#/projects/{id}),
// and the badge the budget explorer puts on a line that funds one.
import { get, num, type Project, type ProjectList, type ProjectStatus, type ProjectTimeline, type Round } from './api';
import { clear, h } from './dom';
import { fmtBaht, fmtDateTime, fmtInt } from './format';
import { t, type Key } from './i18n';
import { districtName, districts, empty, errorBox, loading, backLink } from './ui';

export const PROJECT_STATUSES: ProjectStatus[] = [
  'PROJECT_STATUS_PLANNED', 'PROJECT_STATUS_PROCUREMENT', 'PROJECT_STATUS_IN_PROGRESS', 'PROJECT_STATUS_COMPLETED', 'PROJECT_STATUS_CANCELLED',
];

export function statusText(s: string | undefined): string {
  return PROJECT_STATUSES.includes(s as ProjectStatus) ? t(`project.status.${s}` as Key) : t('state.empty');
}

function statusBadge(p: { status?: string }): HTMLElement {
  return h('span', { class: `badge status-${(p.status ?? '').toLowerCase().replace(/_/g, '-')}`, 'data-status': p.status ?? '' }, statusText(p.status));
}

function progress(percent: number, label: string): HTMLElement {
  return h('div', { class: 'progress-line' },
    h('progress', { max: '100', value: String(percent), 'aria-label': label }),
    h('span', null, `${fmtInt(percent)}%`));
}

function projectCard(p: Project, districtLabel: string): HTMLElement {
  return h('li', { class: 'card project-card', 'data-project-id': p.projectId },
    h('h3', null, h('a', { href: `#/projects/${p.projectId}` }, p.title)),
    h('p', null, statusBadge(p), ' ', h('span', { class: 'muted small' }, `${districtLabel} · ${p.agency || t('project.noAgency')}`)),
    progress(p.progressPercent, t('project.progressOf', { title: p.title })),
    h('p', { class: 'muted small' }, t('project.money', {
      funded: fmtBaht(num(p.fundedBaht)), committed: fmtBaht(num(p.committedBaht)), spent: fmtBaht(num(p.spentBaht)),
    })));
}

/** Every project, filtered by the query: round, district, status, agency, line. */
export async function renderProjectsView(el: HTMLElement, params: URLSearchParams): Promise<void> {
  const head = () => [backLink(), h('h1', { id: 'view-title', tabindex: '-1' }, t('projects.title')), h('p', { class: 'lead' }, t('projects.lead'))];
  clear(el, head(), loading());
  const filter = {
    roundId: params.get('round') ?? '', districtId: params.get('district') ?? '', status: params.get('status') ?? '',
    agency: params.get('agency') ?? '', budgetLineId: params.get('line') ?? '',
  };
  try {
    const [list, ds, rounds] = await Promise.all([
      get<ProjectList>('/v1/projects', filter),
      districts().catch(() => []),
      get<{ rounds?: Round[] }>('/v1/rounds').then((r) => r.rounds ?? []).catch(() => [] as Round[]),
    ]);
    const name = (id: number) => districtName(ds.find((d) => d.id === id)) || String(id);
    const apply = (e: Event) => {
      e.preventDefault();
      const form = new FormData(e.currentTarget as HTMLFormElement);
      const q = new URLSearchParams();
      for (const k of ['round', 'district', 'status', 'agency']) {
        const v = String(form.get(k) ?? '').trim();
        if (v) q.set(k, v);
      }
      location.hash = `#/projects${q.toString() ? `?${q}` : ''}`;
    };
    const select = (id: string, label: string, field: string, current: string, options: [string, string][]) =>
      h('div', { class: 'field' }, h('label', { for: id }, label),
        h('select', { id, name: field },
          h('option', { value: '' }, t('projects.any')),
          options.map(([v, text]) => h('option', { value: v, selected: v === current }, text))));
    const published = rounds.filter((r) => r.phase === 'PHASE_PUBLISHED');
    const projects = list.projects ?? [];
    clear(el, head(),
      h('form', { class: 'filters inline-form', id: 'projects-filter', onsubmit: apply },
        select('projects-round', t('view.round'), 'round', filter.roundId, published.map((r) => [r.roundId, r.name])),
        select('projects-district', t('vote.district'), 'district', filter.districtId,
          ds.filter((d) => d.id > 0).map((d) => [String(d.id), districtName(d)])),
        select('projects-status', t('project.status'), 'status', filter.status, PROJECT_STATUSES.map((s) => [s, statusText(s)])),
        h('div', { class: 'field' }, h('label', { for: 'projects-agency' }, t('project.agency')),
          h('input', { id: 'projects-agency', name: 'agency', value: filter.agency })),
        h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('projects.apply')))),
      filter.budgetLineId ? h('p', { class: 'muted' }, t('projects.byLine', { line: filter.budgetLineId }), ' ', h('a', { href: '#/projects' }, t('projects.all'))) : null,
      h('p', { class: 'summary', id: 'projects-summary', role: 'status', 'data-count': String(projects.length) }, t('projects.found', { n: fmtInt(projects.length) })),
      projects.length === 0 ? empty(t('projects.none')) : h('ul', { class: 'project-list', id: 'project-list' }, projects.map((p) => projectCard(p, name(p.districtId)))));
  } catch (e) {
    clear(el, head(), errorBox(e, () => void renderProjectsView(el, params)));
  }
}

/** A project and its timeline, oldest first. */
export async function renderProjectView(el: HTMLElement, id: string): Promise<void> {
  clear(el, backLink(), h('h1', { id: 'view-title', tabindex: '-1' }, t('project.heading')), loading());
  try {
    const [res, ds] = await Promise.all([get<ProjectTimeline>(`/v1/projects/${encodeURIComponent(id)}`), districts().catch(() => [])]);
    const p = res.project;
    if (!p) throw new Error(t('state.empty'));
    const updates = res.updates ?? [];
    const district = districtName(ds.find((d) => d.id === p.districtId)) || String(p.districtId);
    clear(el, backLink(),
      h('article', { class: 'card project-view', 'data-project-id': p.projectId, 'data-status': p.status },
        h('p', { class: 'eyebrow' }, t('project.heading'), ` #${p.projectId}`),
        h('h1', { id: 'view-title', tabindex: '-1' }, p.title),
        h('p', null, statusBadge(p), p.statusReason ? h('span', { class: 'muted' }, ` — ${p.statusReason}`) : null),
        progress(p.progressPercent, t('project.progressOf', { title: p.title })),
        h('dl', { class: 'facts' },
          h('dt', null, t('vote.district')), h('dd', null, district),
          h('dt', null, t('project.agency')), h('dd', null, p.agency || t('project.noAgency')),
          h('dt', null, t('project.funded')), h('dd', null, fmtBaht(num(p.fundedBaht))),
          h('dt', null, t('project.committed')), h('dd', { id: 'project-committed' }, fmtBaht(num(p.committedBaht))),
          h('dt', null, t('project.spent')), h('dd', { id: 'project-spent' }, fmtBaht(num(p.spentBaht))),
          h('dt', null, t('project.lines')), h('dd', null, p.budgetLineIds.length
            ? p.budgetLineIds.map((l, i) => [i ? ', ' : '', h('a', { href: `#/projects?line=${l}` }, t('project.line', { id: String(l) }))])
            : t('project.noLines')),
          h('dt', null, t('project.result')), h('dd', null, h('a', { href: `#/results/${p.roundId}/${p.districtId}` }, t('project.resultLink')),
            ' · ', h('a', { href: `#/proposals/${p.proposalId}` }, t('project.proposalLink')))),
        h('h2', null, t('project.timeline')),
        updates.length === 0 ? h('p', { class: 'muted', id: 'project-no-updates' }, t('project.noUpdates')) : h('ol', { class: 'project-timeline', id: 'project-timeline' },
          updates.map((u) => h('li', { 'data-update-id': u.updateId },
            h('p', { class: 'muted small' }, h('time', { datetime: u.at }, fmtDateTime(u.at)), ' · ', u.operatorName),
            h('p', null, statusBadge(u), ` ${fmtInt(u.progressPercent)}% · `, t('project.moneyShort', { committed: fmtBaht(num(u.committedBaht)), spent: fmtBaht(num(u.spentBaht)) })),
            h('p', null, u.text),
            u.reason ? h('p', { class: 'muted' }, t('project.reason', { reason: u.reason })) : null,
            u.link ? h('p', null, h('a', { href: u.link, rel: 'noopener noreferrer nofollow', target: '_blank' }, t('project.linkOut'),
              h('span', { class: 'visually-hidden' }, ` ${t('share.newWindow')}`))) : null)))));
  } catch (e) {
    clear(el, backLink(), h('h1', { id: 'view-title', tabindex: '-1' }, t('project.heading')), errorBox(e, () => void renderProjectView(el, id)));
  }
}

let fundedLines: Promise<Map<string, Project[]>> | null = null;

/** Budget line id -> the citizen projects it funds (read once per page load). */
function projectsByLine(): Promise<Map<string, Project[]>> {
  fundedLines ??= get<ProjectList>('/v1/projects').then((list) => {
    const byLine = new Map<string, Project[]>();
    for (const p of list.projects ?? []) {
      for (const l of p.budgetLineIds) byLine.set(String(l), [...(byLine.get(String(l)) ?? []), p]);
    }
    return byLine;
  }).catch(() => new Map());
  return fundedLines;
}

/** Adds a badge to every `[data-line-id]` item of `box` whose line funds a citizen project. */
export async function badgeFundedLines(box: HTMLElement): Promise<void> {
  const byLine = await projectsByLine();
  if (byLine.size === 0) return;
  box.querySelectorAll<HTMLElement>('[data-line-id]').forEach((item) => {
    const projects = byLine.get(item.dataset.lineId ?? '');
    if (!projects || item.querySelector('.citizen-badge')) return;
    const href = projects.length === 1 ? `#/projects/${projects[0].projectId}` : `#/projects?line=${item.dataset.lineId}`;
    item.append(h('a', { class: 'badge citizen-badge', href }, t('project.badge', { n: projects.length })));
  });
}

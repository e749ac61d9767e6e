// Implementation tracking for trackers and round admins: every project, and
// a project's dated update (status, progress, money, agency, budget lines,
// a link and the text the public reads). The service refuses what needs a
// reason without one; the refusal is shown as it says.
import { get, num, type Project, type ProjectChange, type ProjectList, type ProjectTimeline, type TopAgencies } from '../api';
import { clear, h } from '../dom';
import { fmtBaht, fmtDateTime, fmtInt } from '../format';
import { t } from '../i18n';
import { PROJECT_STATUSES, statusText } from '../projects';
import { districtName, districts, empty, loading } from '../ui';
import { change, hasRole } from './session';
import { fieldError, refusal } from './widgets';

export async function renderProjects(el: HTMLElement): Promise<void> {
  clear(el, loading());
  try {
    const [list, ds] = await Promise.all([get<ProjectList>('/v1/projects'), districts().catch(() => [])]);
    const projects = list.projects ?? [];
    clear(el,
      h('h1', { id: 'view-title', tabindex: '-1' }, t('admin.projects.title')),
      h('p', { class: 'lead' }, t('admin.projects.lead')),
      projects.length === 0 ? empty(t('projects.none')) : h('table', { class: 'data-table', id: 'admin-projects' },
        h('thead', null, h('tr', null, ...(['admin.projects.project', 'vote.district', 'project.status', 'project.progress', 'project.agency'] as const)
          .map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', null, projects.map((p: Project) => h('tr', { 'data-project-id': p.projectId },
          h('th', { scope: 'row' }, h('a', { href: `#/projects/${p.projectId}` }, p.title)),
          h('td', null, districtName(ds.find((d) => d.id === p.districtId)) || String(p.districtId)),
          h('td', null, statusText(p.status)), h('td', null, `${fmtInt(p.progressPercent)}%`),
          h('td', null, p.agency || t('project.noAgency')))))));
  } catch (e) {
    clear(el, refusal(e));
  }
}

/** The ordinance's budget units, offered to the agency field (the service checks the name). */
async function agencyList(): Promise<HTMLElement> {
  // 100 is the service's most; a year has fewer units that spend.
  const top = await get<TopAgencies>('/v1/budget/years/2566/top-agencies', { limit: 100 }, { cache: true }).catch(() => null);
  return h('datalist', { id: 'project-agencies' }, (top?.agencies ?? []).map((a) => h('option', { value: a.agency })));
}

export async function renderProject(el: HTMLElement, id: string): Promise<void> {
  clear(el, loading());
  let res: ProjectTimeline;
  try {
    res = await get<ProjectTimeline>(`/v1/projects/${encodeURIComponent(id)}`);
  } catch (e) {
    clear(el, refusal(e));
    return;
  }
  const p = res.project;
  if (!p) return clear(el, refusal(new Error(t('state.empty'))));
  const mayUpdate = hasRole('OPERATOR_ROLE_TRACKER') || hasRole('OPERATOR_ROLE_ROUND_ADMIN');
  const field = (key: Parameters<typeof t>[0], input: HTMLElement) =>
    h('div', { class: 'field' }, h('label', { for: input.id }, t(key)), input);
  const text = h('textarea', { id: 'update-text', rows: '3', required: true }) as HTMLTextAreaElement;
  const status = h('select', { id: 'update-status' },
    h('option', { value: '' }, t('admin.projects.unchanged')),
    PROJECT_STATUSES.map((s) => h('option', { value: s }, statusText(s)))) as HTMLSelectElement;
  const number = (idName: string, value: number, max?: string) =>
    h('input', { id: idName, type: 'number', min: '0', max: max ?? null, step: '1', inputmode: 'numeric', value: String(value) }) as HTMLInputElement;
  const progress = number('update-progress', p.progressPercent, '100');
  const committed = number('update-committed', num(p.committedBaht));
  const spent = number('update-spent', num(p.spentBaht));
  const agency = h('input', { id: 'update-agency', list: 'project-agencies', value: p.agency, autocomplete: 'off' }) as HTMLInputElement;
  const lines = h('input', { id: 'update-lines', value: p.budgetLineIds.join(', '), inputmode: 'numeric', 'aria-describedby': 'update-lines-hint' }) as HTMLInputElement;
  const link = h('input', { id: 'update-link', type: 'url', placeholder: 'https://' }) as HTMLInputElement;
  const reason = h('input', { id: 'update-reason', 'aria-describedby': 'update-reason-hint' }) as HTMLInputElement;
  const result = h('div', { id: 'update-status-box', role: 'status' });
  const submit = async (e: Event) => {
    e.preventDefault();
    fieldError(text, text.value.trim() ? null : t('admin.projects.needText'));
    if (!text.value.trim()) return text.focus();
    const body: ProjectChange = { text: text.value.trim(), link: link.value.trim(), reason: reason.value.trim() };
    if (status.value) body.status = status.value as ProjectChange['status'];
    if (Number(progress.value) !== p.progressPercent) body.progressPercent = Number(progress.value);
    if (committed.value && Number(committed.value) !== num(p.committedBaht)) body.committedBaht = committed.value;
    if (spent.value && Number(spent.value) !== num(p.spentBaht)) body.spentBaht = spent.value;
    if (agency.value.trim() && agency.value.trim() !== p.agency) body.agency = agency.value.trim();
    const ids = lines.value.split(/[\s,]+/).filter(Boolean);
    if (ids.join(',') !== p.budgetLineIds.join(',')) {
      body.budgetLineIds = ids;
      body.setBudgetLines = true;
    }
    clear(result, t('state.sending'));
    try {
      await change(`/v1/admin/projects/${p.projectId}:update`, body);
      await renderProject(el, id);
      clear(document.getElementById('update-status-box') as HTMLElement, h('p', { class: 'state success', id: 'update-saved' }, t('admin.projects.saved')));
    } catch (err) {
      clear(result, refusal(err, 'update-error'));
    }
  };
  clear(el,
    h('p', null, h('a', { href: '#/projects', class: 'link-back' }, `← ${t('admin.projects.title')}`)),
    h('h1', { id: 'view-title', tabindex: '-1' }, p.title),
    h('p', { class: 'lead' }, `${statusText(p.status)} · ${fmtInt(p.progressPercent)}% · `,
      t('project.moneyShort', { committed: fmtBaht(num(p.committedBaht)), spent: fmtBaht(num(p.spentBaht)) }),
      ' · ', h('a', { href: `/#/projects/${p.projectId}` }, t('admin.projects.public'))),
    mayUpdate
      ? h('form', { class: 'stack-form card', id: 'project-update', novalidate: true, onsubmit: submit },
        h('h2', null, t('admin.projects.update')),
        field('admin.projects.text', text),
        field('project.status', status),
        field('project.progress', progress),
        field('project.committed', committed),
        field('project.spent', spent),
        field('project.agency', agency), await agencyList(),
        field('project.lines', lines), h('p', { class: 'muted small', id: 'update-lines-hint' }, t('admin.projects.linesHint')),
        field('admin.projects.link', link),
        field('admin.projects.reason', reason), h('p', { class: 'muted small', id: 'update-reason-hint' }, t('admin.projects.reasonHint')),
        result,
        h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'update-submit' }, t('admin.projects.submit'))))
      : h('p', { class: 'muted' }, t('admin.projects.noRole')),
    h('h2', null, t('project.timeline')),
    res.updates.length === 0 ? h('p', { class: 'muted' }, t('project.noUpdates')) : h('ol', { class: 'project-timeline' },
      res.updates.map((u) => h('li', null, `${fmtDateTime(u.at)} · ${u.operatorName} · ${statusText(u.status)} · ${fmtInt(u.progressPercent)}% — ${u.text}`,
        u.reason ? ` (${t('project.reason', { reason: u.reason })})` : ''))));
}

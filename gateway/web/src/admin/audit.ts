// The audit log, newest first: who did what, as which role, to what, when;
// filtered by round and operator, paged by the service's token.
import { type AuditEvent, type AuditPage } from '../api';
import { clear, h } from '../dom';
import { fmtDateTime } from '../format';
import { t } from '../i18n';
import { loading } from '../ui';
import { read } from './session';
import { refusal } from './widgets';

export async function renderAudit(el: HTMLElement, params: URLSearchParams): Promise<void> {
  const round = params.get('round') ?? '';
  const operatorName = params.get('operator') ?? '';
  const roundInput = h('input', { id: 'audit-round', type: 'number', min: '0', inputmode: 'numeric', value: round });
  const operatorInput = h('input', { id: 'audit-operator', value: operatorName, autocomplete: 'off' });
  const body = h('tbody', { id: 'audit-rows' });
  const more = h('p');
  const status = h('div', { role: 'status' }, loading());
  clear(el,
    h('h1', { id: 'view-title', tabindex: '-1' }, t('admin.audit.title')),
    h('p', { class: 'lead' }, t('admin.audit.lead')),
    h('form', { class: 'filters', id: 'audit-filter', onsubmit: (e: Event) => {
      e.preventDefault();
      const q = new URLSearchParams();
      if (roundInput.value) q.set('round', roundInput.value);
      if (operatorInput.value.trim()) q.set('operator', operatorInput.value.trim());
      location.hash = `#/audit?${q}`;
    } },
      h('div', { class: 'field' }, h('label', { for: 'audit-round' }, t('admin.audit.round')), roundInput),
      h('div', { class: 'field' }, h('label', { for: 'audit-operator' }, t('admin.audit.operator')), operatorInput),
      h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'btn btn-light' }, t('admin.audit.filter')))),
    status,
    h('table', { class: 'data-table', id: 'audit-table' },
      h('thead', null, h('tr', null, ...(['admin.audit.when', 'admin.audit.operator', 'admin.audit.role', 'admin.audit.action', 'admin.audit.target', 'admin.audit.summary'] as const)
        .map((k) => h('th', { scope: 'col' }, t(k))))),
      body),
    more);
  const row = (e: AuditEvent) => h('tr', { 'data-action': e.action, 'data-operator': e.operatorName },
    h('td', null, fmtDateTime(e.at)), h('td', null, e.operatorName), h('td', null, e.role),
    h('td', null, e.action), h('td', null, e.target), h('td', null, e.summary));
  const load = async (token: string) => {
    const q = new URLSearchParams({ page_size: '50' });
    if (round) q.set('round_id', round);
    if (operatorName) q.set('operator_name', operatorName);
    if (token) q.set('page_token', token);
    try {
      const page = await read<AuditPage>(`/v1/admin/audit?${q}`);
      clear(status);
      body.append(...page.events.map(row));
      if (!token && page.events.length === 0) clear(status, h('p', { class: 'state empty' }, t('admin.audit.empty')));
      clear(more, page.nextPageToken
        ? h('button', { type: 'button', class: 'btn btn-light', id: 'audit-more', onclick: () => void load(page.nextPageToken) }, t('admin.audit.more'))
        : null);
    } catch (e) {
      clear(status, refusal(e));
    }
  };
  await load('');
}

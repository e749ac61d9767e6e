// The rounds list (phase and turnout per district) and the create-round
// form, which checks what it can before sending and shows the service's
// refusal beside the field it names.
import { get, num, type District, type Round, type Turnout } from '../api';
import { clear, h } from '../dom';
import { fmtInt, fmtYear } from '../format';
import { t, type Key } from '../i18n';
import { districtName, districts, errorMessage, loading } from '../ui';
import { phaseTitle } from '../sections/voting/text';
import { change, hasRole } from './session';
import { fieldError, refusal } from './widgets';

export async function renderRounds(el: HTMLElement): Promise<void> {
  clear(el, h('h1', { id: 'view-title', tabindex: '-1' }, t('admin.rounds.title')), loading());
  try {
    const [list, ds] = await Promise.all([get<{ rounds?: Round[] }>('/v1/rounds').then((r) => r.rounds ?? []), districts()]);
    const turnouts = await Promise.all(list.map((r) => get<Turnout>(`/v1/rounds/${r.roundId}/turnout`).catch(() => null)));
    const rows = list.map((r, i) => {
      const turnout = turnouts[i];
      const by = new Map((turnout?.districts ?? []).map((d) => [d.districtId, num(d.voterCount)]));
      return h('tr', { 'data-round-id': r.roundId },
        h('td', null, h('a', { href: `#/rounds/${r.roundId}` }, r.name || `#${r.roundId}`), h('br'), h('span', { class: 'muted' }, `#${r.roundId} · ${fmtYear(r.fiscalYear)}`)),
        h('td', { 'data-phase': r.phase }, phaseTitle(r.phase)),
        h('td', null,
          h('ul', { class: 'plain' }, r.districts.map((d) =>
            h('li', null, `${districtName(ds.find((x) => x.id === d.districtId)) || d.districtId}: ${fmtInt(by.get(d.districtId) ?? 0)}`))),
          turnout ? h('p', { class: 'muted' }, t('admin.rounds.total', { n: fmtInt(num(turnout.totalVoters)) })) : null),
      );
    });
    clear(el,
      h('div', { class: 'section-head' },
        h('h1', { id: 'view-title', tabindex: '-1' }, t('admin.rounds.title')),
        hasRole('OPERATOR_ROLE_ROUND_ADMIN') ? h('p', null, h('a', { class: 'btn btn-primary', href: '#/rounds/new', id: 'new-round' }, t('admin.rounds.new'))) : null),
      list.length === 0
        ? h('p', { class: 'state empty' }, t('admin.rounds.none'))
        : h('table', { class: 'data-table', id: 'rounds-table' },
            h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('admin.rounds.name')), h('th', { scope: 'col' }, t('admin.rounds.phase')), h('th', { scope: 'col' }, t('admin.rounds.turnout')))),
            h('tbody', null, rows)));
  } catch (e) {
    clear(el, h('h1', { id: 'view-title', tabindex: '-1' }, t('admin.rounds.title')), refusal(e));
  }
}

type Kind = 'APPROVAL' | 'KNAPSACK' | 'CUMULATIVE';

export async function renderCreateRound(el: HTMLElement): Promise<void> {
  const ds: District[] = await districts().catch(() => []);
  const title = h('h1', { id: 'view-title', tabindex: '-1' }, t('admin.create.title'));
  const radios = (name: string, values: string[], label: (v: string) => string, checked: string) =>
    values.map((v) => h('label', { class: 'choice' }, h('input', { type: 'radio', name, value: v, checked: v === checked }), ' ', label(v)));
  const name = h('input', { id: 'round-name', name: 'name', required: true, maxlength: '200', autocomplete: 'off' });
  const year = h('input', { id: 'round-year', name: 'fiscal_year', type: 'number', inputmode: 'numeric', min: '2500', max: '2700', value: '2568' });
  const districtRows = ds.map((d) => {
    const box = h('input', { type: 'checkbox', id: `district-${d.id}`, value: String(d.id), 'data-district': String(d.id) });
    const budget = h('input', { type: 'number', id: `budget-${d.id}`, min: '1', step: '1', inputmode: 'numeric', disabled: true, 'aria-label': `${districtName(d)}: ${t('admin.create.districts')}` });
    box.addEventListener('change', () => { budget.disabled = !box.checked; if (box.checked && !budget.value) budget.value = '1000000'; });
    return { d, box, budget, row: h('li', { class: 'district-pick' }, h('label', { for: box.id }, box, ' ', districtName(d)), budget) };
  });
  const districtsField = h('fieldset', { id: 'round-districts', class: 'district-grid' },
    h('legend', null, t('admin.create.districts')),
    h('p', { class: 'muted' }, t('admin.create.districtsHint')),
    h('ul', { class: 'plain grid' }, districtRows.map((r) => r.row)));
  const maxChoices = h('input', { id: 'rule-max', type: 'number', min: '1', value: '3', inputmode: 'numeric' });
  const totalPoints = h('input', { id: 'rule-total', type: 'number', min: '1', value: '10', inputmode: 'numeric' });
  const maxPoints = h('input', { id: 'rule-per', type: 'number', min: '1', value: '5', inputmode: 'numeric' });
  const kindFields = {
    APPROVAL: h('div', { class: 'field' }, h('label', { for: 'rule-max' }, t('admin.create.maxChoices')), maxChoices),
    CUMULATIVE: h('div', { class: 'field' }, h('label', { for: 'rule-total' }, t('admin.create.totalPoints')), totalPoints,
      h('label', { for: 'rule-per' }, t('admin.create.maxPoints')), maxPoints),
  };
  const minSupport = h('input', { type: 'number', id: 'round-min-support', min: '0', step: '1', value: '0', inputmode: 'numeric' });
  const status = h('div', { id: 'create-status', role: 'status' });
  const form = h('form', { id: 'create-round', class: 'stack-form', novalidate: true, 'aria-labelledby': 'view-title' },
    h('p', { class: 'lead' }, t('admin.create.lead')),
    h('div', { class: 'field' }, h('label', { for: 'round-name' }, t('admin.create.name')), name),
    h('div', { class: 'field' }, h('label', { for: 'round-year' }, t('admin.create.year')), year),
    districtsField,
    h('fieldset', { id: 'round-ballot' }, h('legend', null, t('admin.create.ballot')),
      radios('kind', ['APPROVAL', 'KNAPSACK', 'CUMULATIVE'], (v) => t(`admin.create.kind.${v}` as Key), 'APPROVAL'),
      kindFields.APPROVAL, kindFields.CUMULATIVE),
    h('fieldset', null, h('legend', null, t('admin.create.outcome')),
      radios('outcome', ['GREEDY', 'GREEDY_NO_SKIP', 'EQUAL_SHARES', 'EQUAL_SHARES_ADD1_COMPARISON'],
        (v) => t(`admin.create.outcome.${v}` as Key), 'GREEDY'),
      h('div', { class: 'field' }, h('label', { for: 'round-min-support' }, t('admin.create.minSupport')), minSupport)),
    h('fieldset', null, h('legend', null, t('admin.create.identity')),
      radios('identity', ['CITIZEN_ID', 'ANONYMOUS_BROWSER'], (v) => t(`admin.create.identity.${v}` as Key), 'CITIZEN_ID')),
    h('fieldset', null, h('legend', null, t('admin.create.perVoter')),
      radios('per_voter', ['ONE', 'EACH'], (v) => t(`admin.create.perVoter.${v}` as Key), 'ONE')),
    status,
    h('p', { class: 'actions' },
      h('a', { class: 'btn btn-light', href: '#/rounds' }, t('admin.create.cancel')),
      h('button', { type: 'submit', class: 'btn btn-primary', id: 'create-submit' }, t('admin.create.submit'))));
  const value = (n: string) => (form.querySelector(`input[name="${n}"]:checked`) as HTMLInputElement).value;
  const showKind = () => {
    kindFields.APPROVAL.hidden = value('kind') !== 'APPROVAL';
    kindFields.CUMULATIVE.hidden = value('kind') !== 'CUMULATIVE';
  };
  form.addEventListener('change', showKind);
  showKind();

  // What can be checked here is, field by field; the rest the service says.
  const check = (): HTMLElement | null => {
    let first: HTMLElement | null = null;
    const mark = (input: HTMLElement, bad: boolean, message: string) => {
      fieldError(input, bad ? message : null);
      if (bad && !first) first = input;
    };
    mark(name, name.value.trim() === '' || name.value.trim().length > 200, t('admin.create.err.name'));
    const y = Number(year.value);
    mark(year, !Number.isInteger(y) || y < 2500 || y > 2700, t('admin.create.err.year'));
    const chosen = districtRows.filter((r) => r.box.checked);
    mark(districtsField, chosen.length === 0, t('admin.create.err.districts'));
    for (const r of districtRows) {
      const bad = r.box.checked && !(Number(r.budget.value) > 0);
      mark(r.budget, bad, t('admin.create.err.budget', { district: districtName(r.d) }));
    }
    const kind = value('kind') as Kind;
    mark(maxChoices, kind === 'APPROVAL' && !(Number(maxChoices.value) > 0), t('admin.create.err.count'));
    mark(totalPoints, kind === 'CUMULATIVE' && !(Number(totalPoints.value) > 0), t('admin.create.err.count'));
    mark(maxPoints, kind === 'CUMULATIVE' && !(Number(maxPoints.value) > 0), t('admin.create.err.count'));
    return first;
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const bad = check();
    if (bad) {
      clear(status, h('p', { class: 'field-error' }, t('admin.create.fix')));
      bad.focus();
      return;
    }
    const kind = value('kind') as Kind;
    const body = {
      round: {
        name: name.value.trim(),
        fiscalYear: Number(year.value),
        districts: districtRows.filter((r) => r.box.checked).map((r) => ({ districtId: r.d.id, budgetBaht: r.budget.value })),
        ballotRule: {
          kind: `BALLOT_KIND_${kind}`,
          maxChoices: kind === 'APPROVAL' ? Number(maxChoices.value) : 0,
          totalPoints: kind === 'CUMULATIVE' ? Number(totalPoints.value) : 0,
          maxPointsPerProject: kind === 'CUMULATIVE' ? Number(maxPoints.value) : 0,
        },
        outcomeRule: `OUTCOME_RULE_${value('outcome')}`,
        minProjectSupport: String(Math.max(0, Math.floor(Number(minSupport.value) || 0))),
        identityMode: `IDENTITY_MODE_${value('identity')}`,
        districtsPerVoter: `DISTRICTS_PER_VOTER_${value('per_voter')}`,
      },
    };
    const submit = form.querySelector('#create-submit') as HTMLButtonElement;
    submit.disabled = true;
    clear(status, t('state.sending'));
    try {
      const res = await change<{ round?: Round }>('/v1/admin/rounds', body);
      location.hash = `#/rounds/${res.round?.roundId ?? ''}`;
    } catch (err) {
      clear(status, refusal(err, 'create-error'));
      // The service names the field it refused ("round.name …", "districts: …").
      const message = err instanceof Error ? err.message : '';
      const target = /fiscal_year/.test(message) ? year : /districts|budget/.test(message) ? districtsField
        : /name/.test(message) ? name : /ballot_rule|max_choices|points/.test(message) ? form.querySelector('#round-ballot') as HTMLElement : null;
      if (target) {
        fieldError(target, errorMessage(err));
        target.focus();
      }
      submit.disabled = false;
    }
  });
  clear(el, h('p', null, h('a', { href: '#/rounds', class: 'link-back' }, t('admin.round.back'))), title, form);
}

// Participatory budgeting explained (static, short, factual) and how this
// city's rounds work, with the rounds read from the API.
import { get, type Round } from '../api';
import { clear, h } from '../dom';
import { fmtYear } from '../format';
import { onLangChange, t, type Key } from '../i18n';
import { sectionHead } from '../ui';
import { outcomeText, phaseTitle } from './voting/text';

const STEPS: Key[] = ['pb.step1', 'pb.step2', 'pb.step3', 'pb.step4', 'pb.step5', 'pb.step6', 'pb.step7', 'pb.step8'];
const EXAMPLES: { name: string; text: Key }[] = [
  { name: 'Porto Alegre', text: 'pb.ex.portoalegre' },
  { name: 'Peñalolén', text: 'pb.ex.penalolen' },
  { name: 'Govanhill', text: 'pb.ex.govanhill' },
  { name: 'Tower Hamlets', text: 'pb.ex.towerhamlets' },
];
const PHASES: Key[] = ['phase.proposals', 'phase.review', 'phase.voting', 'phase.closed', 'phase.published'];

export function mountPb(el: HTMLElement): void {
  let rounds: Round[] | null = null;

  function render(): void {
    clear(
      el,
      h('div', { class: 'wrap' },
        sectionHead('pb', 'pb.title', 'pb.what'),
        h('div', { class: 'two-col' },
          h('div', null,
            h('h3', null, t('pb.stepsTitle')),
            h('ol', { class: 'steps' }, STEPS.map((k) => h('li', null, t(k)))),
          ),
          h('div', null,
            h('h3', null, t('pb.examplesTitle')),
            h('ul', { class: 'examples' }, EXAMPLES.map((e) => h('li', null, h('strong', { lang: 'en' }, e.name), ' — ', t(e.text)))),
          ),
        ),
        h('h3', null, t('pb.cityTitle')),
        h('ol', { class: 'phase-steps', 'aria-label': t('pb.phases') }, PHASES.map((k) => h('li', null, t(k)))),
        h('ul', { class: 'plain' },
          h('li', null, t('pb.city.proposals')),
          h('li', null, t('pb.city.rules')),
          h('li', null, t('pb.city.outcome'), ' ', outcomeText('OUTCOME_RULE_GREEDY'), ' ', outcomeText('OUTCOME_RULE_EQUAL_SHARES')),
          h('li', null, t('pb.city.identity')),
          h('li', null, t('pb.city.receipt')),
        ),
        rounds && rounds.length
          ? h('div', { class: 'rounds-now' },
              h('h3', null, t('pb.roundsNow')),
              h('ul', { class: 'plain' }, rounds.slice(0, 6).map((r) =>
                h('li', null, h('strong', null, r.name ?? `#${r.roundId}`), ` · ${fmtYear(r.fiscalYear)} · ${phaseTitle(r.phase)} · `,
                  t('pb.roundDistricts', { n: r.districts?.length ?? 0 }),
                  ' · ', h('a', { href: `#/vote?district=${r.districts?.[0]?.districtId ?? ''}&round=${r.roundId}` }, t('pb.openRound'))))),
            )
          : null,
      ),
    );
  }

  onLangChange(render);
  render();
  get<{ rounds?: Round[] }>('/v1/rounds')
    .then((r) => {
      rounds = r.rounds ?? [];
      render();
    })
    .catch(() => undefined);
}

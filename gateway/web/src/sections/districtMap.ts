// The 50 district offices on a map: a choropleth of the chosen figure for the
// chosen year (the office's budget, per resident, or one topic budget), in
// five quantile classes with their bounds in the legend. Paths come projected
// from the build (scripts/district-map.mjs): no map library, no tiles, works
// offline. The table below is the keyboard and screen-reader way in; both
// open the same district panel. Under the map, the district offices' stated
// budgets of the two latest years with lines (districtCompare.ts).
import { get, num, type DistrictYearTotal } from '../api';
import { clear, h } from '../dom';
import { fmtInt, fmtMillion, fmtPct, fmtYear } from '../format';
import { lang, onLangChange, t, type Key } from '../i18n';
import type { MapDistrict } from '../gen/districtMap';
import { empty, errorBox, loading, sectionHead } from '../ui';
import { mountDistrictCompare } from './districtCompare';

type Metric = 'total' | 'perResident' | 'flood' | 'green' | 'waste';
const METRICS: { id: Metric; key: Key }[] = [
  { id: 'total', key: 'map.metric.total' },
  { id: 'perResident', key: 'map.metric.perResident' },
  { id: 'flood', key: 'map.metric.flood' },
  { id: 'green', key: 'map.metric.green' },
  { id: 'waste', key: 'map.metric.waste' },
];
// ColorBrewer Blues, 5 classes: light to dark as the figure grows.
const CLASS_COLORS = ['#eff3ff', '#bdd7e7', '#6baed6', '#3182bd', '#08519c'];
const SVG = 'http://www.w3.org/2000/svg';

/** A district's figure under a metric; null when the source has none. */
export function figure(total: DistrictYearTotal | undefined, district: MapDistrict, metric: Metric): number | null {
  if (!total) return null;
  if (metric === 'total') return num(total.totalBaht);
  if (metric === 'perResident') return district.population > 0 ? num(total.totalBaht) / district.population : null;
  const topic = total.topicBaht?.[metric];
  return topic === undefined ? null : num(topic);
}

/** Upper bounds of five quantile classes (the last is the maximum). */
export function classBounds(values: number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return [];
  return [1, 2, 3, 4, 5].map((k) => sorted[Math.min(sorted.length - 1, Math.ceil((k * sorted.length) / 5) - 1)]);
}

/** The class (0-4) of a value: the first whose upper bound holds it. */
export function classOf(value: number, bounds: number[]): number {
  const i = bounds.findIndex((b) => value <= b);
  return i < 0 ? bounds.length - 1 : i;
}

/** How one district is drawn: fill, tooltip, data attributes. */
export interface DistrictLook {
  fill: string;
  title: string;
  data?: Record<string, string>;
}

/**
 * The 50 districts as one SVG, each path drawn by `look` and chosen by a
 * click. Decorative for assistive technology (aria-hidden): every use pairs
 * it with a table or a select that offers the same choice.
 */
export function districtSvg(
  map: { districts: MapDistrict[]; width: number; height: number },
  id: string,
  selected: number,
  look: (d: MapDistrict) => DistrictLook,
  onPick: (id: number) => void,
  onHover?: (d: MapDistrict) => void,
): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${map.width} ${map.height}`);
  svg.setAttribute('class', 'district-map');
  svg.setAttribute('id', id);
  svg.setAttribute('aria-hidden', 'true');
  for (const d of map.districts) {
    const { fill, title, data } = look(d);
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d.d);
    path.setAttribute('data-district', String(d.id));
    for (const [k, v] of Object.entries(data ?? {})) path.setAttribute(`data-${k}`, v);
    path.setAttribute('fill', fill);
    if (d.id === selected) path.setAttribute('class', 'selected');
    const tooltip = document.createElementNS(SVG, 'title');
    tooltip.textContent = title;
    path.appendChild(tooltip);
    if (onHover) path.addEventListener('pointerenter', () => onHover(d));
    path.addEventListener('click', () => onPick(d.id));
    svg.appendChild(path);
  }
  return svg;
}

export function mountDistrictMap(section: HTMLElement): void {
  // The map redraws on every choice; the comparison below keeps its own state.
  const el = h('div', { class: 'wrap' });
  const compareBox = h('div', { class: 'wrap district-compare', id: 'district-compare-box' });
  clear(section, el, compareBox);
  mountDistrictCompare(compareBox);
  let totals: DistrictYearTotal[] | null = null;
  let error: unknown = null;
  let year = 0;
  let metric: Metric = 'total';
  let selected = 0;
  // The projected paths (about 20 kB gzipped) load with the figures, in
  // their own chunk, so the first paint does not wait for them.
  let MAP_DISTRICTS: MapDistrict[] = [];
  let MAP_WIDTH = 0;
  let MAP_HEIGHT = 0;

  async function load(): Promise<void> {
    error = null;
    totals = null;
    render();
    try {
      const [r, map] = await Promise.all([
        get<{ totals?: DistrictYearTotal[] }>('/v1/budget/district-totals', undefined, { cache: true }),
        import('../gen/districtMap'),
      ]);
      ({ MAP_DISTRICTS, MAP_WIDTH, MAP_HEIGHT } = map);
      totals = r.totals ?? [];
      year = Math.max(0, ...totals.map((x) => x.fiscalYear ?? 0));
    } catch (e) {
      error = e;
    }
    render();
  }

  const name = (d: MapDistrict) => (lang() === 'en' ? d.en : d.th);
  const show = (v: number | null) =>
    v === null ? t('state.empty') : metric === 'perResident' ? t('map.perResident', { amount: fmtInt(Math.round(v)) }) : fmtMillion(v);

  function render(): void {
    const body: (HTMLElement | SVGElement | null)[] = [];
    if (error) body.push(errorBox(error, load));
    else if (!totals) body.push(loading());
    else if (!totals.length) body.push(empty());
    else {
      const years = [...new Set(totals.map((x) => x.fiscalYear ?? 0))].sort((a, b) => b - a);
      const ofYear = (y: number) => new Map(totals!.filter((x) => x.fiscalYear === y).map((x) => [x.districtId ?? 0, x]));
      const current = ofYear(year);
      const previous = ofYear(year - 1);
      const values = new Map(MAP_DISTRICTS.map((d) => [d.id, figure(current.get(d.id), d, metric)]));
      const bounds = classBounds([...values.values()].filter((v): v is number => v !== null));

      const info = h('p', { class: 'map-info', id: 'map-info', 'aria-live': 'polite' }, t('map.hint'));
      // The table below carries the same figures for keyboards and screen readers.
      const svg = districtSvg({ districts: MAP_DISTRICTS, width: MAP_WIDTH, height: MAP_HEIGHT }, 'district-map', selected,
        (d) => {
          const v = values.get(d.id) ?? null;
          const cls = v === null ? -1 : classOf(v, bounds);
          return {
            fill: cls < 0 ? '#ddd' : CLASS_COLORS[cls],
            title: `${name(d)}: ${show(v)}`,
            data: { value: v === null ? '' : String(v), class: String(cls) },
          };
        },
        select,
        (d) => (info.textContent = `${name(d)}: ${show(values.get(d.id) ?? null)}`));

      body.push(
        h('div', { class: 'map-controls' },
          h('label', null, t('map.year'), ' ',
            h('select', { id: 'map-year', onchange: (e: Event) => { year = Number((e.target as HTMLSelectElement).value); render(); } },
              years.map((y) => h('option', { value: String(y), selected: y === year }, fmtYear(y))))),
          h('label', null, t('map.metric'), ' ',
            h('select', { id: 'map-metric', onchange: (e: Event) => { metric = (e.target as HTMLSelectElement).value as Metric; render(); } },
              METRICS.map((m) => h('option', { value: m.id, selected: m.id === metric }, t(m.key))))),
        ),
        h('div', { class: 'map-layout' },
          h('figure', { class: 'map-figure' }, svg as unknown as HTMLElement,
            h('figcaption', null,
              h('ul', { class: 'map-legend', id: 'map-legend', 'aria-label': t('map.legend') },
                bounds.map((b, i) => h('li', { 'data-class': String(i), 'data-upper': String(b) },
                  h('span', { class: 'swatch', style: `background:${CLASS_COLORS[i]}`, 'aria-hidden': 'true' }),
                  i === 0 ? t('map.upTo', { value: show(b) }) : t('map.range', { from: show(bounds[i - 1]), to: show(b) }))),
              ),
              info,
            ),
          ),
          selected ? panel(MAP_DISTRICTS.find((d) => d.id === selected)!, current, previous) : null,
        ),
        h('p', { class: 'note' }, t(metric === 'perResident' ? 'map.note.perResident' : 'map.note')),
        h('details', { class: 'map-table' },
          h('summary', null, t('map.table')),
          h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('map.table') },
            h('table', { class: 'data-table', id: 'map-table' },
              h('caption', null, `${t(METRICS.find((m) => m.id === metric)!.key)} · ${fmtYear(year)}`),
              h('thead', null, h('tr', null,
                h('th', { scope: 'col' }, t('map.district')),
                h('th', { scope: 'col', class: 'num' }, t(METRICS.find((m) => m.id === metric)!.key)),
                h('th', { scope: 'col', class: 'num' }, t('map.class')))),
              h('tbody', null, [...MAP_DISTRICTS].sort((a, b) => (values.get(b.id) ?? -1) - (values.get(a.id) ?? -1)).map((d) => {
                const v = values.get(d.id) ?? null;
                return h('tr', { 'data-district': String(d.id) },
                  h('th', { scope: 'row' }, h('button', { type: 'button', class: 'link-button', onclick: () => select(d.id) }, name(d))),
                  h('td', { class: 'num' }, show(v)),
                  h('td', { class: 'num' }, v === null ? '–' : String(classOf(v, bounds) + 1)));
              })),
            ),
          ),
        ),
      );
    }
    clear(el, sectionHead('map', 'map.title', 'map.lead'), body as HTMLElement[]);
  }

  // The district's figure, its change from the year before, and where to go next.
  function panel(d: MapDistrict, current: Map<number, DistrictYearTotal>, previous: Map<number, DistrictYearTotal>): HTMLElement {
    const now = figure(current.get(d.id), d, metric);
    const before = figure(previous.get(d.id), d, metric);
    const change = now !== null && before !== null && before > 0 ? (now - before) / before : null;
    return h('aside', { class: 'map-panel', id: 'map-panel', 'data-district': String(d.id), 'aria-labelledby': 'map-panel-title' },
      h('h3', { id: 'map-panel-title', tabindex: '-1' }, name(d)),
      h('p', { class: 'headline' }, `${t(METRICS.find((m) => m.id === metric)!.key)} ${fmtYear(year)}: ${show(now)}`),
      h('p', null, change === null
        ? t('map.noChange', { year: fmtYear(year - 1) })
        : t(change >= 0 ? 'map.up' : 'map.down', { pct: fmtPct(Math.abs(change), 1, 1), year: fmtYear(year - 1) })),
      h('p', null, h('a', { href: `#/explore?district=${d.id}` }, t('map.lines', { name: name(d) }))),
      h('p', null, h('a', { href: `#/vote?district=${d.id}`, id: 'map-panel-vote' }, t('map.vote'))),
    );
  }

  function select(id: number): void {
    selected = id;
    render();
    document.getElementById('map-panel-title')?.focus();
  }

  onLangChange(render);
  void load();
}

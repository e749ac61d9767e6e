// The 20-year plan's timeline (static content).
import { clear, h } from '../dom';
import { onLangChange, t, type Key } from '../i18n';
import { sectionHead } from '../ui';

const STEPS: { year: string; title: Key; text: Key }[] = [
  { year: '2556', title: 'timeline.2556.title', text: 'timeline.2556.text' },
  { year: '2561', title: 'timeline.2561.title', text: 'timeline.2561.text' },
  { year: '2568', title: 'timeline.2568.title', text: 'timeline.2568.text' },
  { year: '2580', title: 'timeline.2580.title', text: 'timeline.2580.text' },
];

export function mountTimeline(el: HTMLElement): void {
  function render(): void {
    clear(
      el,
      h(
        'div',
        { class: 'wrap' },
        sectionHead('timeline', 'timeline.title', 'timeline.lead'),
        h(
          'ol',
          { class: 'timeline' },
          STEPS.map((s) =>
            h('li', { class: 'timeline-item' }, h('p', { class: 'timeline-year' }, s.year), h('h3', null, t(s.title)), h('p', null, t(s.text))),
          ),
        ),
      ),
    );
  }
  onLangChange(render);
  render();
}

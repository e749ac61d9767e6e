// A word cloud's layout: sizes by line count, positions on a spiral out from
// the centre, largest word first, none overlapping. Deterministic: the same
// words, counts and font give the same picture on every load (ties are
// broken by the word), so a screenshot or a reporter's description holds.
// Positions are in a fixed virtual box (WIDTH x HEIGHT); the page scales it.

export const WIDTH = 800;
export const HEIGHT = 440;

export interface CloudWord {
  word: string;
  count: number;
}

export interface PlacedWord extends CloudWord {
  /** Font size and the box's top-left corner, in virtual units. */
  size: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Font size for a count: area grows with the count (square root), 14-56 units. */
export function fontSize(count: number, min: number, max: number): number {
  if (max === min) return 28;
  const r = (Math.sqrt(count) - Math.sqrt(min)) / (Math.sqrt(max) - Math.sqrt(min));
  return 14 + r * 42;
}

/**
 * Places `words` (any order): largest first on an Archimedean spiral from the
 * centre, each at the first point where its box overlaps no placed box and
 * stays inside. `measure` gives a word's width at a font size. A word that
 * finds no place is left out (the list beside the cloud still has it).
 */
export function layoutCloud(words: CloudWord[], measure: (word: string, size: number) => number): PlacedWord[] {
  const ordered = [...words].sort((a, b) => b.count - a.count || (a.word < b.word ? -1 : a.word > b.word ? 1 : 0));
  if (!ordered.length) return [];
  const max = ordered[0].count;
  const min = ordered[ordered.length - 1].count;
  const placed: PlacedWord[] = [];
  const pad = 2;
  const overlaps = (p: { x: number; y: number; w: number; h: number }) =>
    placed.some((q) => p.x < q.x + q.w + pad && q.x < p.x + p.w + pad && p.y < q.y + q.h + pad && q.y < p.y + p.h + pad);
  for (const cw of ordered) {
    const size = fontSize(cw.count, min, max);
    const w = measure(cw.word, size) + 8;
    const h = size * 1.35;
    // The spiral is wider than tall, like the box.
    for (let step = 0; step < 4000; step++) {
      const angle = step * 0.12;
      const radius = 1.6 * angle;
      const x = WIDTH / 2 + radius * Math.cos(angle) * (WIDTH / HEIGHT) - w / 2;
      const y = HEIGHT / 2 + radius * Math.sin(angle) - h / 2;
      if (x < 0 || y < 0 || x + w > WIDTH || y + h > HEIGHT) {
        if (radius > WIDTH) break;
        continue;
      }
      const box = { x, y, w, h };
      if (!overlaps(box)) {
        placed.push({ ...cw, size, ...box });
        break;
      }
    }
  }
  return placed;
}

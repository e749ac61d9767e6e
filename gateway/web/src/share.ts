// Share a proposal or a district's result: its own link (/p/{id} or
// /r/{round}/{district}, with OpenGraph preview), Facebook, X and LINE share
// URLs with #BangkokBudgeting, and copy-link.
import { h } from './dom';
import { t, type Key } from './i18n';
import { announce } from './ui';

export const HASHTAG = 'BangkokBudgeting';

/** Which share page: a proposal's (`p`, id "12") or a result's (`r`, id "3/7"). */
export type ShareOptions = { path?: 'p' | 'r'; linkKey?: Key };

export function shareUrl(id: string, path: 'p' | 'r' = 'p'): string {
  return `${location.origin}/${path}/${id.split('/').map(encodeURIComponent).join('/')}`;
}

export function shareLinks(id: string, title: string, path: 'p' | 'r' = 'p'): { facebook: string; x: string; line: string; url: string } {
  const url = shareUrl(id, path);
  const text = `${title} #${HASHTAG}`;
  return {
    url,
    facebook: `https://www.facebook.com/sharer/sharer.php?u=${encodeURIComponent(url)}&hashtag=${encodeURIComponent('#' + HASHTAG)}`,
    x: `https://x.com/intent/tweet?text=${encodeURIComponent(title)}&url=${encodeURIComponent(url)}&hashtags=${HASHTAG}`,
    line: `https://social-plugins.line.me/lineit/share?url=${encodeURIComponent(url)}&text=${encodeURIComponent(text)}`,
  };
}

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = h('textarea', { class: 'visually-hidden', readonly: true }, text);
    document.body.appendChild(ta);
    ta.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    ta.remove();
    return ok;
  }
}

export function shareBox(id: string, title: string, options: ShareOptions = {}): HTMLElement {
  const links = shareLinks(id, title, options.path);
  const status = h('span', { class: 'copy-status', role: 'status' });
  const ext = (href: string, label: string, cls: string) =>
    h('a', { class: `share-btn ${cls}`, href, target: '_blank', rel: 'noopener noreferrer' }, label, h('span', { class: 'visually-hidden' }, ` ${t('share.newWindow')}`));
  return h(
    'div',
    { class: 'share', 'data-share': id },
    h('p', { class: 'share-link' },
      h('span', { class: 'muted' }, t(options.linkKey ?? 'share.link')), ' ',
      h('a', { href: links.url, class: 'share-url' }, links.url),
    ),
    h('div', { class: 'share-buttons' },
      ext(links.facebook, 'Facebook', 'fb'),
      ext(links.x, 'X', 'x'),
      ext(links.line, 'LINE', 'line'),
      h('button', {
        type: 'button', class: 'share-btn copy',
        onclick: async () => {
          const ok = await copy(links.url);
          status.textContent = ok ? t('share.copied') : t('share.copyFailed');
          announce(status.textContent);
        },
      }, t('share.copy')),
      status,
    ),
    h('p', { class: 'muted small' }, `#${HASHTAG}`),
  );
}

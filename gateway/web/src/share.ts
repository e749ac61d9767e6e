// Share a proposal: its own link (/p/{id}, with OpenGraph preview), Facebook,
// X and LINE share URLs with #BangkokBudgeting, and copy-link.
import { h } from './dom';
import { t } from './i18n';
import { announce } from './ui';

export const HASHTAG = 'BangkokBudgeting';

export function shareUrl(proposalId: string): string {
  return `${location.origin}/p/${encodeURIComponent(proposalId)}`;
}

export function shareLinks(proposalId: string, title: string): { facebook: string; x: string; line: string; url: string } {
  const url = shareUrl(proposalId);
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

export function shareBox(proposalId: string, title: string): HTMLElement {
  const links = shareLinks(proposalId, title);
  const status = h('span', { class: 'copy-status', role: 'status' });
  const ext = (href: string, label: string, cls: string) =>
    h('a', { class: `share-btn ${cls}`, href, target: '_blank', rel: 'noopener noreferrer' }, label, h('span', { class: 'visually-hidden' }, ` ${t('share.newWindow')}`));
  return h(
    'div',
    { class: 'share', 'data-share': proposalId },
    h('p', { class: 'share-link' },
      h('span', { class: 'muted' }, t('share.link')), ' ',
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

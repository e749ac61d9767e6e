// Console building blocks: refusals in the reader's language, the phase
// names, a confirmation dialog that says what a step freezes, and inline
// field errors.
import { ApiError, type Round } from '../api';
import { h } from '../dom';
import { t, type Key } from '../i18n';
import { errorHint, errorMessage } from '../ui';
import { phaseTitle } from '../sections/voting/text';

/** A refusal: the service's reason, then what to do (in the current language). */
export function refusal(err: unknown, id?: string): HTMLElement {
  const code = err instanceof ApiError ? err.code : '';
  const hint = code === 'PERMISSION_DENIED' || code === 'UNAUTHENTICATED' ? t(`admin.hint.${code}` as Key) : errorHint(err);
  return h('div', { class: 'state error', role: 'alert', id: id ?? null, 'data-code': code },
    h('p', null, h('strong', null, t('admin.refused')), ' ', errorMessage(err)),
    h('p', null, hint));
}

export const NEXT_PHASE: Record<string, string> = {
  PHASE_PROPOSALS: 'PHASE_REVIEW',
  PHASE_REVIEW: 'PHASE_VOTING',
  PHASE_VOTING: 'PHASE_CLOSED',
  PHASE_CLOSED: 'PHASE_PUBLISHED',
};

/** Asks before moving `round` to `to`, saying what that freezes. */
export function confirmPhase(round: Round, to: string): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'confirm', id: 'confirm-dialog', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-text' },
      h('h2', { id: 'confirm-title' }, t('admin.confirm.title', { phase: phaseTitle(to) })),
      h('p', { class: 'muted' }, round.name),
      h('p', { id: 'confirm-text' }, t(`admin.confirm.${to}` as Key)),
      h('form', { method: 'dialog', class: 'actions' },
        h('button', { type: 'submit', value: 'cancel', class: 'btn btn-light', id: 'confirm-cancel' }, t('admin.confirm.cancel')),
        h('button', { type: 'submit', value: 'ok', class: 'btn btn-primary', id: 'confirm-ok' }, t('admin.confirm.ok'))));
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'ok');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
    (dialog.querySelector('#confirm-cancel') as HTMLElement).focus();
  });
}

/** Marks a field invalid with a message linked to it, or clears it. */
export function fieldError(input: HTMLElement, message: string | null): void {
  const id = `${input.id}-error`;
  document.getElementById(id)?.remove();
  if (!message) {
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
    return;
  }
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', id);
  input.insertAdjacentElement('afterend', h('p', { class: 'field-error', id }, message));
}

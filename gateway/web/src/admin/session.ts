// The console's session: who is signed in, with which roles, and the
// anti-CSRF token every change sends back. The session token itself lives
// in an HttpOnly cookie this code never sees (gateway/core/console_session.h).
import { ApiError, send, type Operator, type OperatorRole, type Session } from '../api';

let current: Session | null = null;

export function session(): Session | null {
  return current;
}

export function operator(): Operator | undefined {
  return current?.operator;
}

export function hasRole(role: OperatorRole): boolean {
  const roles: string[] = current?.operator?.roles ?? [];
  return roles.includes(role);
}

/** The signed-in session, or null when there is none (or it ended). */
export async function loadSession(): Promise<Session | null> {
  try {
    current = await send<Session>('GET', '/v1/admin/session');
  } catch (e) {
    if (e instanceof ApiError && (e.code === 'UNAUTHENTICATED' || e.status === 401)) current = null;
    else throw e;
  }
  return current;
}

export async function signIn(operatorKey: string): Promise<Session> {
  current = await send<Session>('POST', '/v1/admin/session:signIn', { operatorKey });
  return current;
}

export async function signOut(): Promise<void> {
  try {
    await change('/v1/admin/session:signOut', {});
  } finally {
    current = null;
  }
}

/** An admin read (the cookie goes along by itself). */
export function read<T>(path: string): Promise<T> {
  return send<T>('GET', path);
}

/** An admin change: carries the session's anti-CSRF token. */
export function change<T>(path: string, body: unknown): Promise<T> {
  return send<T>('POST', path, body, { 'X-CSRF-Token': current?.csrfToken ?? '' });
}

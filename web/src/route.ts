// Hash routes, so the static host needs no rewrites and a reload keeps the view.

export type Route =
  | { view: 'fleet' }
  | { view: 'chargers' }
  | { view: 'entity'; entityId: string }
  | { view: 'session'; entityId: string; sessionId: string; at: string }
  | { view: 'unknown' };

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?', 2);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { view: 'fleet' };
  if (parts[0] === 'chargers' && parts.length === 1) return { view: 'chargers' };
  if (parts[0] === 'entities' && parts[1]) {
    if (parts.length === 2) return { view: 'entity', entityId: parts[1] };
    const at = new URLSearchParams(query).get('at');
    if (parts[2] === 'sessions' && parts[3] && parts.length === 4 && at)
      return { view: 'session', entityId: parts[1], sessionId: parts[3], at };
  }
  return { view: 'unknown' };
}

export const href = {
  fleet: () => '#/',
  chargers: () => '#/chargers',
  entity: (entityId: string) => `#/entities/${encodeURIComponent(entityId)}`,
  session: (entityId: string, sessionId: string, at: string) =>
    `#/entities/${encodeURIComponent(entityId)}/sessions/${encodeURIComponent(sessionId)}?at=${encodeURIComponent(at)}`,
};

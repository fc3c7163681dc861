// The scopes a third-party app's token can carry; each protected route names the one it needs.

export const SCOPES = [
  'entities:read',
  'entities:write',
  'readings:write',
  'readings:read',
  'sessions:read',
  'chargers:read',
  'chargers:write',
  'tariffs:read',
  'tariffs:write',
  'webhooks:read',
  'webhooks:write',
] as const;

export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

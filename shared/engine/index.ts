// The charge-session engine's public surface.

export { matchLocations, type TenantLocation } from '../locations/match.js';
export { computeSessions } from './compute.js';
export { chargeSessionId } from './id.js';
export type {
  DetectedSession,
  EngineEntity,
  EngineInput,
  EngineOutput,
  SkippedSession,
  SkipReason,
} from './types.js';
export { SKIP_REASONS } from './types.js';

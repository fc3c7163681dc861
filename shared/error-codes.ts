// Every machine-readable error `code` the API can answer, with its status and what it means. ApiError
// only accepts codes from here, so this list is complete by construction; docs/errors.md and the
// GET /problems/{code} route are generated from it.

export const ERROR_CODES = {
  validation_failed: {
    status: 400,
    description: 'One or more fields are invalid; `errors[]` names each one.',
  },
  malformed_json: { status: 400, description: 'The body is not well-formed JSON.' },
  body_required: { status: 400, description: 'This operation needs a JSON body and none was sent.' },
  invalid_continuation_token: {
    status: 400,
    description: 'The continuation token was altered, belongs to another query or tenant, or has expired.',
  },
  battery_capacity_required: {
    status: 400,
    description:
      'CaptureChargeSessions needs the battery capacity of an EV that reports neither power nor energy; set it with PUT /v1/entities/{entityId}/battery-capacity first.',
  },
  battery_capacity_ev_only: {
    status: 400,
    description: 'Battery capacity applies to entities of type EV only.',
  },
  charger_offline: {
    status: 400,
    description: 'The charger is offline, so no public charging session can start on it now.',
  },
  unauthorized: {
    status: 401,
    description:
      'The bearer token is missing, malformed, unknown, expired or revoked. The response does not say which.',
  },
  insufficient_scope: {
    status: 403,
    description: 'The token is valid but lacks the scope the operation needs.',
  },
  route_not_found: { status: 404, description: 'No operation exists at this path.' },
  entity_not_found: { status: 404, description: 'No entity with this id exists for the calling tenant.' },
  battery_capacity_not_set: { status: 404, description: "The entity's battery capacity has not been set." },
  location_not_found: {
    status: 404,
    description: 'No location with this id exists for the calling tenant.',
  },
  tariff_not_found: { status: 404, description: 'No tariff with this id exists for the calling tenant.' },
  tariff_version_not_found: { status: 404, description: 'The tariff has no version with this number.' },
  problem_type_not_found: { status: 404, description: 'No error code of this name exists.' },
  webhook_not_found: {
    status: 404,
    description: 'No webhook endpoint with this id exists for the calling tenant.',
  },
  webhook_delivery_not_found: {
    status: 404,
    description: 'The webhook endpoint has no delivery with this id (unknown, or expired after 30 days).',
  },
  charger_not_found: {
    status: 404,
    description: 'No public charger has this code (unknown, or not open to public charging).',
  },
  command_not_found: {
    status: 404,
    description:
      'The charger has no command with this id waiting (already answered, expired, or never asked).',
  },
  session_not_found: {
    status: 404,
    description: 'No public charging session has this token, or its token has expired.',
  },
  method_not_allowed: {
    status: 405,
    description: 'The path exists but not with this method; see the Allow header.',
  },
  illegal_transition: {
    status: 409,
    description:
      'The public charging session cannot do this in its current status (e.g. cancel after charging began); `sessionStatus` and `trigger` say which.',
  },
  connector_unavailable: {
    status: 409,
    description: 'The connector is faulted, unavailable, reserved or already in use by another session.',
  },
  public_code_taken: {
    status: 409,
    description: 'Another charger already has this public code (codes are unique across all operators).',
  },
  charger_in_use: {
    status: 409,
    description:
      'Public sessions are in progress on the charger (or on the connectors a change would remove); `connectors` lists them.',
  },
  location_limit_reached: {
    status: 409,
    description:
      'The tenant already has the maximum number of locations (`limit`); delete one before adding another.',
  },
  webhook_limit_reached: {
    status: 409,
    description:
      'The tenant already has the maximum number of webhook endpoints (`limit`); delete one before adding another.',
  },
  webhook_disabled: {
    status: 409,
    description:
      'The webhook endpoint is disabled (by PATCH `enabled: false`, or by a `410 Gone` answer); enable it before sending to it.',
  },
  tariff_in_use: {
    status: 409,
    description:
      'A location, a charger or the tenant’s cost settings still name this tariff; point them elsewhere first.',
  },
  tariff_edit_conflict: {
    status: 409,
    description: 'Other edits of the tariff kept winning the race; nothing was changed, send the edit again.',
  },
  payment_not_authorized: {
    status: 409,
    description: 'The payment hold for this session has not been authorized yet; complete the payment first.',
  },
  transaction_mismatch: {
    status: 409,
    description:
      "The charger's message belongs to another transaction, EVSE or connector than this session's.",
  },
  not_acceptable: {
    status: 406,
    description:
      'No representation in the Accept header can be served: charge-session lists are application/json or text/csv; `format` chooses an export regardless of Accept.',
  },
  payload_too_large: { status: 413, description: 'The body exceeds the limit stated in `limitBytes`.' },
  export_unrepresentable: {
    status: 422,
    description:
      'A session cannot be written in the requested export format without inventing data (e.g. an EV-ChART row for a charge point with no registered port_id, or an id longer than the format allows); `errors[]` names the field.',
  },
  format_not_applicable: {
    status: 422,
    description:
      'The export format does not apply to the entity type asked for (EV-ChART Module 2 reports charge-point sessions only, so `format=evchart` refuses EVs); `errors[]` names the field.',
  },
  report_too_large: {
    status: 422,
    description: 'The report would read more sessions than one response may; ask for one entity at a time.',
  },
  unsupported_media_type: { status: 415, description: 'The body must be sent as application/json.' },
  connector_not_found: { status: 422, description: 'The charger has no connector with this id.' },
  rate_limited: { status: 429, description: 'Too many requests; retry after the Retry-After header.' },
  internal_error: { status: 500, description: 'An unexpected error; quote the requestId when reporting it.' },
  service_unavailable: {
    status: 503,
    description:
      'A dependency is throttling or failing; nothing was changed, retry after the Retry-After header.',
  },
  location_edit_conflict: {
    status: 409,
    description:
      "Other changes of the location's tariff kept winning the race; nothing was changed, send the edit again.",
  },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CODES, value);
}

/** The problem `type` URI: a relative reference to GET /problems/{code} on the same API. */
export function problemTypeUri(code: ErrorCode): string {
  return `/problems/${code}`;
}

// EV-ChART's limits on the values a Module 2 row carries (shared/reference/upstream/evchart-module2-definition.json
// and test/schemas/evchart-module2-station-columns.json), in a module of their own so the charger
// registration can validate against them without bundling the export.

/** Ids (station_id, port_id, charger_id, session_id, connector_id): at most 36 characters. */
export const EVCHART_ID_MAX_LENGTH = 36;
/** Text fields: at most 255 characters. */
export const EVCHART_TEXT_MAX_LENGTH = 255;
/** network_provider is required text: 1–255 characters. */
export const EVCHART_NETWORK_PROVIDER_MAX_LENGTH = EVCHART_TEXT_MAX_LENGTH;

// Every threshold of the session engine, each with the reason for its value. Times in milliseconds.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Power above this is charging: below the slowest real charge (8 A at 120 V ≈ 0.96 kW), above a plugged-in car's standby draw and a sensor's zero noise. */
export const CHARGING_POWER_MIN_KW = 0.3;

/** A meter step smaller than this is float noise in a kWh register, not energy (registers count whole Wh at best). */
export const METER_EPSILON_KWH = 0.0005;

/** A register jump implying more than this is a swapped or reset meter, not energy: it is above the Megawatt Charging System ceiling (3.75 MW). */
export const METER_MAX_PLAUSIBLE_KW = 4_000;

/** An interval between readings longer than this is a data gap, not sampling: twice the slowest regular cadence we accept (15 min) plus jitter, so one dropped reading is not a gap. Power is never integrated across a gap. */
export const DATA_GAP_MS = 45 * MINUTE;

/** A silence before charging (or after it) longer than this many of the spell's own sampling intervals means the entity was idle, e.g. a sleeping car that wakes when charging starts: the edge is placed half an interval from the charging reading instead of mid-silence. */
export const EDGE_IDLE_CADENCES = 3;

/** A gap longer than this always closes what came before: after a day of silence nothing can be told about how an earlier session continued, and a session must not stay pending forever. */
export const MAX_BRIDGE_GAP_MS = 24 * HOUR;

/** A value (meter, SoC, range, position) read longer ago than this before a session opens does not describe its start. */
export const BASELINE_MAX_AGE_MS = DATA_GAP_MS;

/** Flat stretches shorter than this inside charging are register or sampling resolution (a 10 Wh register at 1.4 kW steps every 26 s), not pauses: they count as charging time. */
export const PAUSE_MIN_MS = 3 * MINUTE;

/** With only state of charge, charging shows as 1 % steps; at the slowest charge we detect (1.4 kW into a 100 kWh pack ≈ 43 min per %) a flat stretch this long is still charging. */
export const SOC_PLATEAU_MAX_MS = 60 * MINUTE;

/** Stop/start spells of one plug-in (solar clouds, load balancing, a tariff step) are one session when the pause is at most this and the vehicle stayed plugged in or did not move. */
export const MERGE_GAP_MS = 2 * HOUR;

/**
 * A vehicle measured by its meter alone resumes a paused charge (a tariff or schedule pause) at the rate
 * it paused at: the same charger and car set it. Rates are compared over at least this long either side
 * of the pause, and longer (up to RESUME_RATE_MAX_WINDOW_MS) until the register's steps pin them to
 * RESUME_RATE_PRECISION.
 */
export const RESUME_RATE_WINDOW_MS = 15 * MINUTE;
export const RESUME_RATE_MAX_WINDOW_MS = HOUR;

/**
 * How far apart the rates either side of a pause may be (relative, beyond the register's quantisation)
 * and still be the same charge. The standard AC levels (3.7, 7.4, 11, 22 kW: 16/32 A on one or three
 * phases) are at least 1.48x apart and DC is tens of kW above them, so a charger that sets another level
 * differs by far more; an AC charge holds its level to a few percent until the battery is nearly full.
 * (A car's on-board charger often sets the level instead: then every AC charger at or above it gives the
 * same rate, and the rule cannot tell them apart.)
 */
export const RESUME_RATE_TOLERANCE = 0.15;

/**
 * A rate is compared only when one register step over its span is at most this share of it: with 15 %
 * tolerance, levels 1.48x apart stay apart only if the two quantisations together are under ~13 %.
 */
export const RESUME_RATE_PRECISION = 0.05;

/** When neither plug state nor movement is known, a stop longer than this ends the session: another vehicle may have connected. */
export const SETTLE_GAP_MS = 10 * MINUTE;

/** TeslaMate/tracker practice: without a charge-rate signal, charging is a state-of-charge rise of at least this much; smaller rises are BMS recalibration or regeneration. Also the rise that synthesizes a session across an offline gap. */
export const SOC_RISE_MIN_PERCENT = 5;

/** A state-of-charge spell rising less than this is a 1 % flicker; it is dropped before it can merge into a real session and move its start. */
export const SOC_SPELL_MIN_RISE_PERCENT = 2;

/** evcc practice, drop sessions with no energy: below this is a meter blip or standby draw (two minutes at the slowest real charge). */
export const MIN_SESSION_ENERGY_KWH = 0.05;

/** Regeneration while braking lasts seconds to a couple of minutes; a moving spell shorter than this is not a charge (one that short after arrival carries almost no energy). */
export const REGEN_MAX_MS = 5 * MINUTE;

/**
 * A battery discharging faster than this is driving (traction draws 5-40 kW); a parked car's own loads
 * (telematics, 12 V battery, a fan) stay below it. Regeneration is positive power between such readings.
 */
export const DRIVING_DISCHARGE_KW = 1;

/**
 * From driving to charging takes at least this long: stop, connect the cable, and the charger's handshake
 * (IEC 61851 / ISO 15118 take tens of seconds). Power sooner after traction is regeneration.
 */
export const PLUG_IN_MIN_MS = MINUTE;

/** Odometers tick in 0.1 km; any tick between two readings means the vehicle drove. */
export const MOVE_ODOMETER_KM = 0.05;

/** A drive shorter than this moves the SoC by about its 1 % quantum: too coarse to give a consumption per km. */
export const CONSUMPTION_MIN_KM = 5;

/** A parked car's GPS scatter stays well within this; moving to another street or car park exceeds it. */
export const MOVE_DISTANCE_M = 150;

/** A peak derived from a meter is the highest average over at least this long, so one register step cannot fake a spike. */
export const METER_PEAK_WINDOW_MS = 5 * MINUTE;

/** A peak derived from state of charge is the highest average over at least this long: 1 % steps are too coarse for shorter spans. */
export const SOC_PEAK_WINDOW_MS = 30 * MINUTE;

/** State-of-charge steps used to estimate the charge rate near a session's edge (refining the 1 % quantisation). */
export const SOC_RATE_STEPS = 4;

/**
 * Parked positions that describe where a vehicle stands: the median of this many recent ones is its
 * parking spot, robust to the outliers a GNSS fix has under roofs and between tall buildings.
 */
export const PARKED_POSITIONS = 15;

/**
 * A position counts as away from the parking spot only beyond this many times the spread observed while
 * parked (median distance of the parked fixes from their median): with Gaussian scatter that is ~6 σ, so
 * a garage that scatters fixes by 100 m needs ~600 m, an open street keeps MOVE_DISTANCE_M.
 */
export const PARKED_SPREAD_FACTOR = 5;

/**
 * Readings in a row that must all be away from the parking spot before a position says the vehicle moved:
 * outliers come one or two at a time, and three independent ones in a row (rate³) practically never.
 */
export const MOVE_CONFIRM_READINGS = 3;

/**
 * A plugged-in flag describes the vehicle for this long: a car that cannot drive with its cable connected
 * has not moved since, whatever its position says. Older flags say nothing (an unreported unplug).
 */
export const PLUG_FLAG_MAX_AGE_MS = DATA_GAP_MS;

/**
 * The lowest charging efficiency we expect (on-board AC chargers and DC losses leave the battery 85-95 %
 * of what the charger delivers): the most a charger can have delivered for a given rise in the battery.
 */
export const CHARGING_EFFICIENCY_MIN = 0.85;

/** Vehicles report state of charge in whole percent: a level that did not change rose less than this. */
export const SOC_STEP_PERCENT = 1;

/**
 * Energy that reached the battery and the efficiency are reported when the state of charge rose at least
 * this much: with 1 % steps the rise is known to about ±1 point, ≤ 10 % of it from here on.
 */
export const EFFICIENCY_MIN_SOC_RISE_PERCENT = 10;

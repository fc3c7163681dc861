import { useState } from 'preact/hooks';
import {
  type Api,
  ApiError,
  allPages,
  type ChargeSession,
  type Entity,
  must,
  sessionPage,
} from '../api/client';
import { Empty, ErrorNote, Loading, useAsync } from '../components/ui';
import { addDays, dateTime, duration, kwh, localDate, localMinutesOfDay, time, zoneLabel } from '../format';
import { href } from '../route';

const RANGES = [7, 14, 30] as const;

export function EntityView({ api, entityId, now }: { api: Api; entityId: string; now: Date }) {
  const [entity, reload] = useAsync(
    async () => must(await api.GET('/v1/entities/{entityId}', { params: { path: { entityId } } })),
    [api, entityId],
  );
  if (entity.state === 'loading') return <Loading what="the entity" />;
  if (entity.state === 'error') return <ErrorNote error={entity.error} retry={entity.retry} />;
  const e = entity.data;
  const capture = e.features.find((f) => f.feature === 'CaptureChargeSessions')?.enabled ?? false;
  return (
    <section aria-labelledby="entity-title">
      <p class="crumbs">
        <a href={href.fleet()}>Fleet</a> › {e.name}
      </p>
      <h1 id="entity-title">{e.name}</h1>
      <p class="subtitle">
        {e.type === 'EV' ? 'Electric vehicle' : 'Charge point'}
        {e.vendor || e.model ? ` · ${[e.vendor, e.model].filter(Boolean).join(' ')}` : ''} · times in{' '}
        {zoneLabel(e.timeZone, now)}
      </p>
      <Settings api={api} entity={e} onSaved={reload} />
      <Sessions api={api} entity={e} capture={capture} now={now} />
    </section>
  );
}

function Settings({ api, entity, onSaved }: { api: Api; entity: Entity; onSaved: () => void }) {
  const [capacity, setCapacity] = useState(
    entity.batteryCapacity ? String(entity.batteryCapacity.value) : '',
  );
  const [capacityError, setCapacityError] = useState<string>();
  const [captureError, setCaptureError] = useState<string>();
  const [saved, setSaved] = useState<string>();
  const [busy, setBusy] = useState(false);
  const capture = entity.features.find((f) => f.feature === 'CaptureChargeSessions')?.enabled ?? false;

  async function saveCapacity(event: Event) {
    event.preventDefault();
    setBusy(true);
    setCapacityError(undefined);
    setSaved(undefined);
    try {
      // The API validates; the field sends what was typed, so its own message explains a bad value.
      const value = capacity.trim() === '' ? Number.NaN : Number(capacity);
      must(
        await api.PUT('/v1/entities/{entityId}/battery-capacity', {
          params: { path: { entityId: entity.id } },
          body: { batteryCapacity: Number.isFinite(value) ? value : (capacity as unknown as number) },
        }),
      );
      setSaved(`Battery capacity saved: ${value} kWh.`);
      onSaved();
    } catch (error) {
      setCapacityError(describe(error, 'batteryCapacity'));
    } finally {
      setBusy(false);
    }
  }

  async function toggleCapture(enabled: boolean) {
    setBusy(true);
    setCaptureError(undefined);
    setSaved(undefined);
    try {
      must(
        await api.PATCH('/v1/entities/{entityId}/features', {
          params: { path: { entityId: entity.id } },
          body: { feature: 'CaptureChargeSessions', enabled },
        }),
      );
      setSaved(`CaptureChargeSessions ${enabled ? 'switched on' : 'switched off'}.`);
      onSaved();
    } catch (error) {
      setCaptureError(describe(error, 'enabled'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="settings" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      {entity.type === 'EV' && (
        <form onSubmit={saveCapacity} noValidate>
          <label for="battery-capacity">Battery capacity (kWh)</label>
          <div class="field-row">
            <input
              id="battery-capacity"
              inputMode="decimal"
              value={capacity}
              onInput={(e) => setCapacity(e.currentTarget.value)}
              aria-invalid={capacityError ? 'true' : 'false'}
              aria-describedby={capacityError ? 'battery-capacity-error' : undefined}
            />
            <span class="unit">kWh</span>
            <button type="submit" disabled={busy}>
              Save
            </button>
          </div>
          {capacityError && (
            <p id="battery-capacity-error" class="field-error" role="alert">
              {capacityError}
            </p>
          )}
        </form>
      )}
      <div class="field">
        <label>
          <input
            type="checkbox"
            checked={capture}
            disabled={busy}
            onChange={(e) => toggleCapture(e.currentTarget.checked)}
            aria-describedby={captureError ? 'capture-error' : undefined}
          />{' '}
          Capture charge sessions (<code>CaptureChargeSessions</code>)
        </label>
        {captureError && (
          <p id="capture-error" class="field-error" role="alert">
            {captureError}
          </p>
        )}
      </div>
      {saved && (
        <p class="saved" role="status">
          ✓ {saved}
        </p>
      )}
    </section>
  );
}

/** The API's words for a refused change: the field's own message, else the problem's detail. */
function describe(error: unknown, field: string): string {
  if (error instanceof ApiError) {
    const own = error.fieldMessage(field);
    return own ? `${own} (${error.problem?.code ?? error.status})` : error.message;
  }
  return String(error);
}

function Sessions({ api, entity, capture, now }: { api: Api; entity: Entity; capture: boolean; now: Date }) {
  const [days, setDays] = useState<(typeof RANGES)[number]>(14);
  const today = localDate(now, entity.timeZone);
  const firstDay = addDays(today, -(days - 1));
  const [sessions] = useAsync(async () => {
    // The range's first local midnight, as an instant: sessions are listed by their start.
    const start = new Date(now.getTime() - days * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    return allPages<ChargeSession>(
      async (continuationToken) =>
        sessionPage(
          must(
            await api.GET('/v1/entities/{entityId}/charge-sessions', {
              params: {
                path: { entityId: entity.id },
                query: { start, pageSize: 100, ...(continuationToken ? { continuationToken } : {}) },
              },
            }),
          ),
        ),
      10,
    );
  }, [api, entity.id, days]);

  return (
    <section aria-labelledby="sessions-title">
      <h2 id="sessions-title">Charge sessions</h2>
      <label>
        Range{' '}
        <select value={days} onChange={(e) => setDays(Number(e.currentTarget.value) as typeof days)}>
          {RANGES.map((n) => (
            <option key={n} value={n}>
              Last {n} days
            </option>
          ))}
        </select>
      </label>
      {sessions.state === 'loading' && <Loading what="sessions" />}
      {sessions.state === 'error' && <ErrorNote error={sessions.error} retry={sessions.retry} />}
      {sessions.state === 'ok' && sessions.data.items.length === 0 && (
        <Empty title={`No sessions in the last ${days} days.`}>
          {capture ? (
            <p>
              Sessions are computed from readings by the daily job; they appear after its next run (locally:{' '}
              <code>npm run aggregate</code>).
            </p>
          ) : (
            <p>No sessions yet — switch on CaptureChargeSessions above, then send readings.</p>
          )}
        </Empty>
      )}
      {sessions.state === 'ok' && sessions.data.items.length > 0 && (
        <>
          <Timeline entity={entity} sessions={sessions.data.items} firstDay={firstDay} today={today} />
          <SessionTable entity={entity} sessions={sessions.data.items} />
        </>
      )}
    </section>
  );
}

const labelOf = (s: ChargeSession) => s.data.locationMatches[0]?.location.label ?? 'Unknown place';

/** One row per local day, midnight to midnight, each session a bar (split at midnight). */
function Timeline({
  entity,
  sessions,
  firstDay,
  today,
}: {
  entity: Entity;
  sessions: ChargeSession[];
  firstDay: string;
  today: string;
}) {
  const zone = entity.timeZone;
  const places = [...new Set(sessions.map(labelOf))];
  const days: string[] = [];
  for (let day = today; day >= firstDay; day = addDays(day, -1)) days.push(day);
  const pieces = (s: ChargeSession) => {
    const out: { day: string; from: number; to: number }[] = [];
    const startDay = localDate(s.data.start, zone);
    const endDay = localDate(s.data.end, zone);
    const from = localMinutesOfDay(s.data.start, zone);
    const to = localMinutesOfDay(s.data.end, zone);
    if (startDay === endDay) return [{ day: startDay, from, to: Math.max(to, from + 1) }];
    out.push({ day: startDay, from, to: 1440 });
    for (let d = addDays(startDay, 1); d < endDay; d = addDays(d, 1)) out.push({ day: d, from: 0, to: 1440 });
    out.push({ day: endDay, from: 0, to: Math.max(to, 1) });
    return out;
  };
  const byDay = new Map<string, { s: ChargeSession; from: number; to: number }[]>();
  for (const s of sessions)
    for (const p of pieces(s)) byDay.set(p.day, [...(byDay.get(p.day) ?? []), { s, from: p.from, to: p.to }]);
  return (
    <figure class="timeline">
      <figcaption>
        Sessions by local day, 00:00–24:00 ({zoneLabel(zone)}); the pattern and letter show the place
      </figcaption>
      <ul class="legend">
        {places.map((place, i) => (
          <li key={place}>
            <span class={`swatch c${i % 8} p-${i % 8}`} aria-hidden="true" />{' '}
            {String.fromCharCode(65 + (i % 26))}: {place}
          </li>
        ))}
      </ul>
      <ol class="days">
        {days.map((day) => (
          <li key={day} class="day">
            <span class="day-label">{day.slice(5)}</span>
            <span class="track">
              {(byDay.get(day) ?? []).map(({ s, from, to }) => {
                const i = places.indexOf(labelOf(s));
                return (
                  <a
                    key={`${s.id}-${day}`}
                    class={`bar c${i % 8} p-${i % 8}`}
                    href={href.session(entity.id, s.id, s.data.start)}
                    style={{ left: `${(from / 1440) * 100}%`, width: `${((to - from) / 1440) * 100}%` }}
                    aria-label={`${labelOf(s)}, ${time(s.data.start, zone)} to ${time(s.data.end, zone)}, ${kwh(s.data.charge.total.total)}`}
                  >
                    {String.fromCharCode(65 + (i % 26))}
                  </a>
                );
              })}
            </span>
          </li>
        ))}
      </ol>
    </figure>
  );
}

function SessionTable({ entity, sessions }: { entity: Entity; sessions: ChargeSession[] }) {
  const zone = entity.timeZone;
  const newestFirst = [...sessions].sort((a, b) => b.data.start.localeCompare(a.data.start));
  return (
    <div class="table-scroll">
      <table>
        <caption class="visually-hidden">Charge sessions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Start ({zone})</th>
            <th scope="col">Duration</th>
            <th scope="col">Energy</th>
            <th scope="col">Place</th>
            <th scope="col">Method</th>
          </tr>
        </thead>
        <tbody>
          {newestFirst.map((s) => (
            <tr key={s.id}>
              <th scope="row">
                <a href={href.session(entity.id, s.id, s.data.start)}>{dateTime(s.data.start, zone)}</a>
              </th>
              <td>{duration((Date.parse(s.data.end) - Date.parse(s.data.start)) / 1000)}</td>
              <td class="num">{kwh(s.data.charge.total.total)}</td>
              <td>{labelOf(s)}</td>
              <td>{methodLabel(s.data.method)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function methodLabel(method: ChargeSession['data']['method']): string {
  return method === 'energy_meter'
    ? 'Energy meter'
    : method === 'power_flow'
      ? 'Power readings'
      : 'State of charge × battery capacity';
}

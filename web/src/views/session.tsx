import { useState } from 'preact/hooks';
import {
  type Api,
  allPages,
  type ChargeSession,
  type Entity,
  must,
  type Reading,
  refusal,
  sessionPage,
} from '../api/client';
import { type CurvePoint, SessionCurve } from '../components/charts';
import { Empty, ErrorNote, Loading, useAsync } from '../components/ui';
import { dateTime, duration, km, kw, kwh, percent, zoneLabel } from '../format';
import { href } from '../route';
import {
  batteryText,
  boundaryText,
  CATEGORY_LABELS,
  costLine,
  costSummary,
  energyText,
  flagReasons,
  gapsText,
} from '../session-facts';
import { methodLabel } from './entity';

/** How far around a link's start time a session is looked for (see loadSession). */
const AROUND_MS = 60 * 60 * 1000;

/** RFC 3339 at second precision, as the API's range parameters want it. */
const instant = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

async function loadSession(api: Api, entityId: string, sessionId: string, at: string) {
  const entity = must(await api.GET('/v1/entities/{entityId}', { params: { path: { entityId } } }));
  // There is no read of one session by id: list around the instant it started, in progress or not. An
  // active session's start can still move a little (within its uncertainty; its id does not), so the
  // link's `at` is searched ± AROUND_MS.
  const from = Math.floor(Date.parse(at) / 1000) * 1000;
  const page = sessionPage(
    must(
      await api.GET('/v1/entities/{entityId}/charge-sessions', {
        params: {
          path: { entityId },
          query: {
            start: instant(from - AROUND_MS),
            end: instant(from + 1000 + AROUND_MS),
            pageSize: 100,
            status: 'all',
          },
        },
      }),
    ),
  );
  const session = page.data.find((s) => s.id === sessionId);
  return { entity, session };
}

export function SessionView({
  api,
  entityId,
  sessionId,
  at,
}: {
  api: Api;
  entityId: string;
  sessionId: string;
  at: string;
}) {
  const [found] = useAsync(() => loadSession(api, entityId, sessionId, at), [api, entityId, sessionId, at]);
  if (found.state === 'loading') return <Loading what="the session" />;
  if (found.state === 'error') return <ErrorNote error={found.error} retry={found.retry} />;
  const { entity, session } = found.data;
  if (!session)
    return (
      <Empty title="This session is no longer listed.">
        <p>
          A later run may have replaced it (a measured session supersedes a calculated one).{' '}
          <a href={href.entity(entityId)}>Back to {entity.name}</a>.
        </p>
      </Empty>
    );
  return <SessionDetails api={api} entity={entity} session={session} />;
}

function SessionDetails({ api, entity, session }: { api: Api; entity: Entity; session: ChargeSession }) {
  const zone = entity.timeZone;
  const d = session.data;
  const place = d.locationMatches[0];
  return (
    <section aria-labelledby="session-title">
      <p class="crumbs">
        <a href={href.fleet()}>Fleet</a> › <a href={href.entity(entity.id)}>{entity.name}</a> › Session
      </p>
      <h1 id="session-title">
        {kwh(d.charge.total.total)} at {place?.location.label ?? 'an unknown place'}
      </h1>
      <p class="subtitle">Times in {zoneLabel(zone, new Date(d.start))}</p>
      {d.provisional && (
        <p class="warning" role="status">
          In progress: its end, energy, cost and quality are as far as the readings reach
          {d.asOf ? ` (${dateTime(d.asOf, zone)})` : ''} and will change until it completes.
        </p>
      )}
      <dl class="facts">
        <dt>Start</dt>
        <dd>{dateTime(d.start, zone)}</dd>
        <dt>End</dt>
        <dd>{dateTime(d.end, zone)}</dd>
        <dt>Charging time</dt>
        <dd>
          {d.chargingDuration === undefined ? '–' : duration(d.chargingDuration)} of{' '}
          {duration((Date.parse(d.end) - Date.parse(d.start)) / 1000)} plugged in
        </dd>
        <dt>Energy</dt>
        <dd>{kwh(d.charge.total.total)} delivered</dd>
        {batteryText(d.charge) && (
          <>
            <dt>Battery energy</dt>
            <dd>{batteryText(d.charge)}</dd>
          </>
        )}
        <dt>Category</dt>
        <dd>{CATEGORY_LABELS[d.category]}</dd>
        <dt>Cost</dt>
        <dd>{d.cost ? costSummary(d.cost) : 'No tariff applies: not priced'}</dd>
        <dt>Average / peak power</dt>
        <dd>
          {kw(d.charge.averagePower.value)} / {kw(d.charge.peakPower.value)}
        </dd>
        {d.charge.start && d.charge.end && (
          <>
            <dt>State of charge</dt>
            <dd>
              {percent(d.charge.start.value)} → {percent(d.charge.end.value)}
            </dd>
          </>
        )}
        {d.range?.start && d.range.end && (
          <>
            <dt>Range</dt>
            <dd>
              {km(d.range.start.value)} → {km(d.range.end.value)}
            </dd>
          </>
        )}
        <dt>Method</dt>
        <dd>
          {methodLabel(d.method)} (
          {d.source === 'measured' ? 'measured by the charger' : 'calculated from readings'})
        </dd>
        <dt>Location</dt>
        <dd>
          {place
            ? `${place.location.label} (match ${Math.round(place.accuracy * 100)} %)`
            : 'No registered location matched'}
          {d.location ? ` · ${d.location.lat.toFixed(5)}, ${d.location.lon.toFixed(5)}` : ''}
        </dd>
      </dl>
      {d.cost && d.cost.breakdown.length > 0 && <CostBreakdown cost={d.cost} />}
      <Quality quality={d.quality} />
      <Curve api={api} entity={entity} session={session} />
      {/* The exports hold completed sessions only. */}
      {!d.provisional && <Exports api={api} entity={entity} session={session} />}
    </section>
  );
}

function CostBreakdown({ cost }: { cost: NonNullable<ChargeSession['data']['cost']> }) {
  // A public charger registered with its own `pricing` prices with it as a tariff that has no id.
  const tariff =
    cost.tariffId === null
      ? "the charger's pricing"
      : `tariff ${cost.tariffId}, version ${cost.tariffVersion}`;
  return (
    <section aria-labelledby="cost-title">
      <h2 id="cost-title">Cost breakdown</h2>
      <div class="table-scroll">
        <table>
          <caption class="visually-hidden">Cost lines under {tariff}, excluding VAT</caption>
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">Quantity</th>
              <th scope="col">Unit price (excl. VAT)</th>
              <th scope="col">Amount (excl. VAT)</th>
            </tr>
          </thead>
          <tbody>
            {cost.breakdown.map((line) => {
              const shown = costLine(line, cost.currency);
              return (
                <tr key={`${line.type}-${line.from}`}>
                  <th scope="row">{shown.what}</th>
                  <td class="num">{shown.quantity}</td>
                  <td class="num">{shown.price}</td>
                  <td class="num">{shown.amount}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p class="hint">
        Priced by {tariff}. {costSummary(cost)}.
      </p>
    </section>
  );
}

function Quality({ quality }: { quality: ChargeSession['data']['quality'] }) {
  return (
    <section aria-labelledby="quality-title">
      <h2 id="quality-title">Quality</h2>
      {!quality ? (
        <p class="hint">
          Not reported: a charger measured this session, or it was calculated before quality was reported.
        </p>
      ) : (
        <>
          {flagReasons(quality).length > 0 && (
            <p class="warning">
              ⚠ Flagged: {flagReasons(quality).join('; and ')} — check it before relying on it.
            </p>
          )}
          <dl class="facts">
            <dt>Start placed</dt>
            <dd>{boundaryText(quality.start)}</dd>
            <dt>End placed</dt>
            <dd>{boundaryText(quality.end)}</dd>
            <dt>Data gaps inside</dt>
            <dd>{gapsText(quality.gaps)}</dd>
            <dt>Energy</dt>
            <dd>{energyText(quality.energy)}</dd>
          </dl>
        </>
      )}
    </section>
  );
}

export function curvePoints(readings: readonly Reading[]): CurvePoint[] {
  return readings
    .filter((r) => r.powerKw !== undefined || r.soc !== undefined)
    .map((r) => ({ t: Date.parse(r.timestamp), powerKw: r.powerKw ?? null, soc: r.soc ?? null }));
}

function Curve({ api, entity, session }: { api: Api; entity: Entity; session: ChargeSession }) {
  const [readings] = useAsync(
    () =>
      allPages<Reading>(
        async (continuationToken) =>
          must(
            await api.GET('/v1/entities/{entityId}/readings', {
              params: {
                path: { entityId: entity.id },
                query: {
                  start: instant(Date.parse(session.data.start)),
                  end: instant(Date.parse(session.data.end) + 1000),
                  pageSize: 1000,
                  ...(continuationToken ? { continuationToken } : {}),
                },
              },
            }),
          ),
        20,
      ),
    [api, entity.id, session.id],
  );
  if (readings.state === 'loading') return <Loading what="the charging curve" />;
  if (readings.state === 'error') return <ErrorNote error={readings.error} retry={readings.retry} />;
  const points = curvePoints(readings.data.items);
  if (points.length === 0)
    return (
      <Empty title="No curve for this session.">
        <p>Its readings are gone: readings are kept 35 days, sessions for good.</p>
      </Empty>
    );
  return <SessionCurve points={points} timeZone={entity.timeZone} />;
}

const EXPORTS = [
  { format: 'csv', label: 'CSV', extension: 'csv', cpOnly: false },
  { format: 'atlas', label: 'Atlas', extension: 'json', cpOnly: false },
  { format: 'beckn', label: 'Beckn', extension: 'json', cpOnly: false },
  { format: 'evchart', label: 'EV-ChART', extension: 'csv', cpOnly: true },
] as const;

function Exports({ api, entity, session }: { api: Api; entity: Entity; session: ChargeSession }) {
  const [message, setMessage] = useState<{ error: boolean; text: string }>();
  async function download(format: (typeof EXPORTS)[number]) {
    setMessage(undefined);
    const from = Math.floor(Date.parse(session.data.start) / 1000) * 1000;
    const answer = await api.GET('/v1/entities/{entityId}/charge-sessions', {
      params: {
        path: { entityId: entity.id },
        query: { start: instant(from), end: instant(from + 1000), format: format.format },
      },
      parseAs: 'text',
    });
    if (!answer.response.ok) {
      setMessage({ error: true, text: refusal(answer).message });
      return;
    }
    const type = format.extension === 'csv' ? 'text/csv' : 'application/json';
    const url = URL.createObjectURL(new Blob([answer.data ?? ''], { type }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `session-${session.id}-${format.format}.${format.extension}`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    setMessage({ error: false, text: `${format.label} export downloaded.` });
  }
  return (
    <section aria-labelledby="exports-title">
      <h2 id="exports-title">Export</h2>
      <div class="buttons">
        {EXPORTS.filter((f) => !f.cpOnly || entity.type === 'CP').map((f) => (
          <button type="button" key={f.format} onClick={() => download(f)}>
            ⤓ {f.label}
          </button>
        ))}
      </div>
      {message && (
        <p class={message.error ? 'field-error' : 'saved'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
    </section>
  );
}

// What is charging now: the fleet's sessions in progress (status=active), their energy so far and since
// when. Refreshed every minute while the view is open: the real-time path updates a session within
// minutes of its readings, so a faster poll would only repeat the same answer.

import { useEffect } from 'preact/hooks';
import { type Api, allPages, type ChargeSession, must, sessionPage } from '../api/client';
import { Empty, ErrorNote, Loading, useAsync } from '../components/ui';
import { browserTimeZone, count, dateTime, kw, kwh, zoneLabel } from '../format';
import { href } from '../route';

const REFRESH_MS = 60_000;

/**
 * How far back an active session can have started: a session ends after 24 h without a reading (the
 * engine's longest bridge), so one still active began within days; a week covers any plug-in.
 */
const ACTIVE_LOOKBACK_MS = 7 * 24 * 60 * 60 * 1000;

export async function loadActiveSessions(api: Api, now: Date) {
  const start = new Date(now.getTime() - ACTIVE_LOOKBACK_MS).toISOString().replace(/\.\d+Z$/, 'Z');
  return allPages<ChargeSession>(async (continuationToken) =>
    sessionPage(
      must(
        await api.GET('/v1/charge-sessions', {
          params: {
            query: {
              start,
              status: 'active',
              pageSize: 100,
              ...(continuationToken ? { continuationToken } : {}),
            },
          },
        }),
      ),
    ),
  );
}

export function ChargingNow({ api, names }: { api: Api; names: Map<string, string> }) {
  // Each refresh asks from its own "now", so a dashboard left open keeps the right window.
  const [active, reload] = useAsync(() => loadActiveSessions(api, new Date()), [api]);
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const zone = browserTimeZone();
  return (
    <section aria-labelledby="charging-now-title">
      <h2 id="charging-now-title">Charging now</h2>
      {active.state === 'loading' && <Loading what="the sessions in progress" />}
      {active.state === 'error' && <ErrorNote error={active.error} retry={active.retry} />}
      {active.state === 'ok' && active.data.items.length === 0 && (
        <Empty title="Nothing is charging right now.">
          <p>A session shows here within minutes of the readings that start it.</p>
        </Empty>
      )}
      {active.state === 'ok' && active.data.items.length > 0 && (
        <div class="table-scroll">
          <table class="charging-now">
            <caption>
              {count(active.data.items.length)} in progress; provisional figures, times in {zoneLabel(zone)}
            </caption>
            <thead>
              <tr>
                <th scope="col">Entity</th>
                <th scope="col">Since</th>
                <th scope="col">Energy so far</th>
                <th scope="col">Average power</th>
                <th scope="col">As of</th>
              </tr>
            </thead>
            <tbody>
              {active.data.items.map((s) => (
                <tr key={s.id}>
                  <td>
                    <a href={href.entity(s.entityId)}>
                      {names.get(s.entityId) ?? `Entity ${s.entityId.slice(-6)}`}
                    </a>
                  </td>
                  <td>
                    <a href={href.session(s.entityId, s.id, s.data.start)}>{dateTime(s.data.start, zone)}</a>
                  </td>
                  <td>{kwh(s.data.charge.total.total)}</td>
                  <td>{kw(s.data.charge.averagePower.value)}</td>
                  <td>{s.data.asOf ? dateTime(s.data.asOf, zone) : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

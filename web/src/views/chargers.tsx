import { type Api, allPages, type Charger, type ChargerSession, must } from '../api/client';
import { Empty, ErrorNote, Loading, useAsync } from '../components/ui';
import { browserTimeZone, dateTime, zoneLabel } from '../format';
import { href } from '../route';

/** Charger pages read at most, and chargers whose recent sessions are read (one request each). */
const MAX_CHARGER_PAGES = 4;
const RECENT_SESSIONS = 5;

async function loadChargers(api: Api) {
  const chargers = await allPages<Charger>(
    async (continuationToken) =>
      must(
        await api.GET('/v1/chargers', {
          params: { query: { pageSize: 50, ...(continuationToken ? { continuationToken } : {}) } },
        }),
      ),
    MAX_CHARGER_PAGES,
  );
  const publicOnes = chargers.items.filter((c) => c.public);
  const sessions = await Promise.all(
    publicOnes.map(
      async (c) =>
        must(
          await api.GET('/v1/chargers/{code}/sessions', {
            params: { path: { code: c.publicCode }, query: { pageSize: RECENT_SESSIONS } },
          }),
        ).data,
    ),
  );
  return { chargers: publicOnes, sessions, complete: chargers.complete };
}

export function ChargersView({ api }: { api: Api }) {
  const [answer] = useAsync(() => loadChargers(api), [api]);
  const zone = browserTimeZone();
  return (
    <section aria-labelledby="chargers-title">
      <h1 id="chargers-title">Public chargers</h1>
      {answer.state === 'loading' && <Loading what="chargers" />}
      {answer.state === 'error' && <ErrorNote error={answer.error} retry={answer.retry} />}
      {answer.state === 'ok' && answer.data.chargers.length === 0 && (
        <Empty title="No public chargers yet.">
          <p>
            Register one with <code>POST /v1/chargers</code> (a public code, connectors and prices) and link
            it to a charge point; drivers then start sessions with its code.
          </p>
        </Empty>
      )}
      {answer.state === 'ok' && (
        <>
          {!answer.data.complete && (
            <p class="warning">Showing the first {MAX_CHARGER_PAGES * 50} chargers.</p>
          )}
          <p class="subtitle">Times in {zoneLabel(zone)}</p>
          {answer.data.chargers.map((c, i) => (
            <ChargerCard
              key={c.publicCode}
              charger={c}
              sessions={answer.data.sessions[i] ?? []}
              zone={zone}
            />
          ))}
        </>
      )}
    </section>
  );
}

function ChargerCard({
  charger,
  sessions,
  zone,
}: {
  charger: Charger;
  sessions: ChargerSession[];
  zone: string;
}) {
  return (
    <article class="card" aria-labelledby={`charger-${charger.publicCode}`}>
      <h2 id={`charger-${charger.publicCode}`}>
        {charger.name} <span class="code">{charger.publicCode}</span>
      </h2>
      <p>
        <span class={charger.online ? 'status ok' : 'status bad'}>
          {charger.online ? '● Online' : '○ Offline'}
        </span>{' '}
        · <a href={href.entity(charger.entityId)}>its charge point</a>
      </p>
      <ul class="connectors">
        {charger.connectors.map((c) => (
          <li key={c.connectorId}>
            Connector {c.connectorId} ({c.type}, {c.maxPowerKw} kW):{' '}
            <strong>{c.status ?? 'no status reported'}</strong>
          </li>
        ))}
      </ul>
      {sessions.length === 0 ? (
        <p>No public sessions yet.</p>
      ) : (
        <div class="table-scroll">
          <table>
            <caption>Recent public sessions</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Status</th>
                <th scope="col">Energy</th>
                <th scope="col">Connector</th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <tr key={s.id}>
                  <th scope="row">{dateTime(s.createdAt, zone)}</th>
                  <td>{s.status.replace(/_/g, ' ')}</td>
                  <td class="num">{s.energyKwh === null ? '–' : `${s.energyKwh} kWh`}</td>
                  <td>{s.connectorId}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </article>
  );
}

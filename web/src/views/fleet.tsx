import { useMemo, useState } from 'preact/hooks';
import { type Api, type Entity, must } from '../api/client';
import { StackedEnergyChart } from '../components/charts';
import { Empty, ErrorNote, Figure, Loading, useAsync } from '../components/ui';
import {
  loadDailyEnergy,
  loadEntityNames,
  loadMonthlyReport,
  type MonthReportFigures,
  monthReportFigures,
  type StackBy,
  stackedDailyEnergy,
  totals,
} from '../fleet-data';
import { addDays, browserTimeZone, count, kwh, localDate, money } from '../format';
import { href } from '../route';
import { ChargingNow } from './charging-now';

const RANGES = [7, 30, 90] as const;
const NO_NAMES = new Map<string, string>();
const PAGE_SIZE = 25;

export function FleetView({ api, now }: { api: Api; now: Date }) {
  const zone = browserTimeZone();
  const today = localDate(now, zone);
  const monthStart = `${today.slice(0, 8)}01`;
  const end = addDays(today, 1);
  const [days, setDays] = useState<(typeof RANGES)[number]>(30);
  const [stackBy, setStackBy] = useState<StackBy>('type');
  const rangeStart = addDays(end, -days);
  const loadStart = rangeStart < monthStart ? rangeStart : monthStart;
  const [energy] = useAsync(() => loadDailyEnergy(api, { start: loadStart, end }), [api, loadStart, end]);
  const [entities] = useAsync(() => loadEntityNames(api), [api]);
  const month = today.slice(0, 7);
  const [report] = useAsync(
    async () => monthReportFigures((await loadMonthlyReport(api, month)).rows),
    [api, month],
  );
  const names = entities.state === 'ok' ? entities.data.names : NO_NAMES;

  return (
    <section aria-labelledby="fleet-title">
      <h1 id="fleet-title">Fleet</h1>
      {energy.state === 'loading' && <Loading what="the fleet's daily energy" />}
      {energy.state === 'error' && <ErrorNote error={energy.error} retry={energy.retry} />}
      {energy.state === 'ok' && (
        <>
          <MonthFigures
            rows={energy.data.items}
            monthStart={monthStart}
            end={end}
            entityCount={entities.state === 'ok' ? entities.data.count : undefined}
          />
          {report.state === 'loading' && <Loading what="this month's cost" />}
          {report.state === 'error' && <ErrorNote error={report.error} retry={report.retry} />}
          {report.state === 'ok' && <MonthCost figures={report.data} />}
          {!energy.data.complete && (
            <p class="warning">More days than the dashboard reads at once: the figures are partial.</p>
          )}
          <div class="controls">
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
            <fieldset class="inline">
              <legend>Stack by</legend>
              <label>
                <input
                  type="radio"
                  name="stack"
                  checked={stackBy === 'type'}
                  onChange={() => setStackBy('type')}
                />{' '}
                Category
              </label>
              <label>
                <input
                  type="radio"
                  name="stack"
                  checked={stackBy === 'entity'}
                  onChange={() => setStackBy('entity')}
                />{' '}
                Entity
              </label>
            </fieldset>
          </div>
          <EnergyChart
            rows={energy.data.items}
            range={{ start: rangeStart, end }}
            stackBy={stackBy}
            names={names}
            days={days}
          />
        </>
      )}
      <ChargingNow api={api} names={names} />
      <EntityTable
        api={api}
        figures={energy.state === 'ok' ? totals(energy.data.items, { start: monthStart, end }) : undefined}
        flagged={report.state === 'ok' ? report.data.flaggedPerEntity : undefined}
      />
    </section>
  );
}

function MonthFigures({
  rows,
  monthStart,
  end,
  entityCount,
}: {
  rows: Parameters<typeof totals>[0];
  monthStart: string;
  end: string;
  entityCount: number | undefined;
}) {
  const month = totals(rows, { start: monthStart, end });
  const monthName = new Date(`${monthStart}T12:00:00Z`).toLocaleString('en-GB', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
  return (
    <dl class="figures" aria-label={`This month, ${monthName}`}>
      <Figure label={`Energy charged, ${monthName}`} value={kwh(month.energyKwh)} />
      <Figure label="Charge sessions" value={count(month.sessions)} />
      <Figure
        label="Entities that charged"
        value={count(month.chargingEntities)}
        {...(entityCount === undefined ? {} : { note: ` of ${count(entityCount)}` })}
      />
    </dl>
  );
}

/** The month's cost per currency, from the report; absent when nothing was priced (never a made-up 0). */
function MonthCost({ figures }: { figures: MonthReportFigures }) {
  return (
    <dl class="figures" aria-label="This month's cost">
      {figures.costs.map((c) => (
        <Figure
          key={c.currency}
          label={`Cost this month (${c.currency})`}
          value={money(c.total + c.tax, c.currency)}
          note={` incl. ${money(c.tax, c.currency)} VAT`}
        />
      ))}
      {figures.unpricedSessions > 0 && (
        <Figure
          label="Sessions without a price"
          value={count(figures.unpricedSessions)}
          note=" no tariff applies: not counted in any cost"
        />
      )}
    </dl>
  );
}

function EnergyChart({
  rows,
  range,
  stackBy,
  names,
  days,
}: {
  rows: Parameters<typeof totals>[0];
  range: { start: string; end: string };
  stackBy: StackBy;
  names: Map<string, string>;
  days: number;
}) {
  const stacked = useMemo(
    () =>
      stackedDailyEnergy(
        rows.filter((r) => r.date >= range.start && r.date < range.end),
        range,
        stackBy,
        (id) => names.get(id) ?? `Entity ${id.slice(-6)}`,
      ),
    [rows, range.start, range.end, stackBy, names],
  );
  if (stacked.series.length === 0)
    return (
      <Empty title={`No charging in the last ${days} days.`}>
        <p>
          Sessions appear within minutes of the readings that make them: switch on{' '}
          <code>CaptureChargeSessions</code> for each entity (open it below) and send its readings.
        </p>
      </Empty>
    );
  return (
    <StackedEnergyChart
      stacked={stacked}
      title={`Daily energy, last ${days} days (kWh per local day of each entity)`}
    />
  );
}

type SortKey = 'name' | 'type' | 'energy' | 'last';

function EntityTable({
  api,
  figures,
  flagged,
}: {
  api: Api;
  figures: ReturnType<typeof totals> | undefined;
  /** Flagged sessions this month per entity (monthReportFigures); undefined while loading or failed. */
  flagged: Map<string, number> | undefined;
}) {
  const [type, setType] = useState<'' | 'EV' | 'CP'>('');
  // Tokens of the pages before the current one, so "Previous" can go back.
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const token = tokens[tokens.length - 1];
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'name', descending: false });
  const [page] = useAsync(
    async () =>
      must(
        await api.GET('/v1/entities', {
          params: {
            query: {
              pageSize: PAGE_SIZE,
              ...(type ? { type } : {}),
              ...(token ? { continuationToken: token } : {}),
            },
          },
        }),
      ),
    [api, type, token],
  );

  const header = (key: SortKey, label: string) => {
    const active = sort.key === key;
    return (
      <th scope="col" aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
        <button
          type="button"
          class="sort"
          onClick={() => setSort({ key, descending: active ? !sort.descending : key === 'energy' })}
        >
          {label}
          <span aria-hidden="true">{active ? (sort.descending ? ' ▼' : ' ▲') : ' ↕'}</span>
        </button>
      </th>
    );
  };

  const rows = (entities: Entity[]) => {
    const needle = filter.trim().toLowerCase();
    const value = (e: Entity): string | number => {
      const f = figures?.perEntity.get(e.id);
      if (sort.key === 'energy') return f?.energyKwh ?? 0;
      if (sort.key === 'last') return f?.lastChargingDay ?? '';
      if (sort.key === 'type') return e.type;
      return e.name.toLowerCase();
    };
    return entities
      .filter((e) => !needle || `${e.name} ${e.vendor ?? ''} ${e.model ?? ''}`.toLowerCase().includes(needle))
      .sort((a, b) => {
        const [x, y] = [value(a), value(b)];
        const order = x < y ? -1 : x > y ? 1 : 0;
        return sort.descending ? -order : order;
      });
  };

  return (
    <section aria-labelledby="entities-title">
      <h2 id="entities-title">Entities</h2>
      <div class="controls">
        <label>
          Type{' '}
          <select
            value={type}
            onChange={(e) => {
              setType(e.currentTarget.value as typeof type);
              setTokens([undefined]);
            }}
          >
            <option value="">All</option>
            <option value="EV">Electric vehicles</option>
            <option value="CP">Charge points</option>
          </select>
        </label>
        <label>
          Filter this page{' '}
          <input
            type="search"
            value={filter}
            onInput={(e) => setFilter(e.currentTarget.value)}
            placeholder="name, vendor, model"
          />
        </label>
      </div>
      <p class="hint" id="flagged-meaning">
        <strong>Flagged</strong>: sessions this month whose energy is only estimated (from state of charge ×
        battery capacity) or that have a data gap of more than 45 minutes inside them — worth a look.
      </p>
      {page.state === 'loading' && <Loading what="entities" />}
      {page.state === 'error' && <ErrorNote error={page.error} retry={page.retry} />}
      {page.state === 'ok' && page.data.data.length === 0 && (
        <Empty title="No entities yet.">
          <p>
            Register a car or charge point with <code>POST /v1/entities</code>, then switch on{' '}
            <code>CaptureChargeSessions</code>.
          </p>
        </Empty>
      )}
      {page.state === 'ok' && page.data.data.length > 0 && (
        <>
          <div class="table-scroll">
            <table class="entities">
              <caption class="visually-hidden">Entities, this month's figures</caption>
              <thead>
                <tr>
                  {header('name', 'Name')}
                  {header('type', 'Type')}
                  <th scope="col">Capture</th>
                  {header('energy', 'Energy this month')}
                  <th scope="col">Sessions this month</th>
                  {header('last', 'Last charging day')}
                  <th scope="col" aria-describedby="flagged-meaning">
                    Flagged
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows(page.data.data).map((entity) => {
                  const f = figures?.perEntity.get(entity.id);
                  const capture = entity.features.find((s) => s.feature === 'CaptureChargeSessions')?.enabled;
                  return (
                    <tr key={entity.id}>
                      <th scope="row">
                        <a href={href.entity(entity.id)}>{entity.name}</a>
                      </th>
                      <td>{entity.type === 'EV' ? 'EV' : 'Charge point'}</td>
                      <td>{capture ? '✓ On' : '✗ Off'}</td>
                      <td class="num">{figures ? kwh(f?.energyKwh ?? 0) : '…'}</td>
                      <td class="num">{figures ? count(f?.sessions ?? 0) : '…'}</td>
                      <td>
                        {f ? `${f.lastChargingDay} (${entity.timeZone})` : figures ? 'none this month' : '…'}
                      </td>
                      <td class="num">{flaggedCell(flagged, entity.id)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="Entity pages">
            <button type="button" disabled={tokens.length < 2} onClick={() => setTokens(tokens.slice(0, -1))}>
              ← Previous page
            </button>
            <span>Page {tokens.length}</span>
            <button
              type="button"
              disabled={!page.data.meta.continuationToken}
              onClick={() => setTokens([...tokens, page.data.meta.continuationToken ?? undefined])}
            >
              Next page →
            </button>
          </nav>
        </>
      )}
    </section>
  );
}

function flaggedCell(flagged: Map<string, number> | undefined, entityId: string): string {
  if (!flagged) return '…';
  const n = flagged.get(entityId) ?? 0;
  return n > 0 ? `⚠ ${count(n)}` : '0';
}

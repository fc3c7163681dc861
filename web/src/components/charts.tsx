// Charts drawn with uPlot (≈ 50 KB, canvas, no inline styles), each followed by the same numbers as a
// table, so screen readers and people who cannot tell the colours apart get them too.

import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { StackedSeries } from '../fleet-data';
import { dayLabel, kw, kwh, percent, time } from '../format';
import { canvasPattern, colourAt, patternAt } from './palette';

function useUPlot(
  make: (width: number) => { options: uPlot.Options; data: uPlot.AlignedData },
  deps: unknown[],
) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const { options, data } = make(element.clientWidth || 320);
    const chart = new uPlot(options, data, element);
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: element.clientWidth, height: options.height }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, deps);
  return holder;
}

/** Daily energy as stacked bars: each band drawn as the running total from the bottom up. */
export function StackedEnergyChart({ stacked, title }: { stacked: StackedSeries; title: string }) {
  const holder = useUPlot(
    (width) => {
      const x = stacked.days.map((day) => Date.parse(`${day}T12:00:00Z`) / 1000);
      const running = stacked.series.map((_, i) =>
        stacked.days.map((__, d) =>
          stacked.series.slice(0, i + 1).reduce((sum, s) => sum + (s.values[d] ?? 0), 0),
        ),
      );
      // The tallest running total first, so each lower band paints over the one above it.
      const order = stacked.series.map((_, i) => i).reverse();
      const bars = uPlot.paths.bars?.({ size: [0.8, 40] });
      return {
        data: [x, ...order.map((i) => running[i] as number[])],
        options: {
          width,
          height: 260,
          legend: { show: false },
          cursor: { show: false },
          scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.05)] } },
          axes: [
            {
              space: 70,
              values: (_u, splits) =>
                splits.map((s) => dayLabel(new Date(s * 1000).toISOString().slice(0, 10))),
            },
            { label: 'kWh', size: 56 },
          ],
          series: [
            {},
            ...order.map((i) => ({
              label: stacked.series[i]?.label ?? '',
              fill: (u: uPlot) => canvasPattern(u.ctx, i),
              stroke: colourAt(i),
              width: 1,
              points: { show: false },
              ...(bars ? { paths: bars } : {}),
            })),
          ],
        },
      };
    },
    [stacked],
  );
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <ul class="legend">
        {stacked.series.map((s, i) => (
          <li key={s.key}>
            <span class={`swatch c${i % 8} p-${patternAt(i)}`} aria-hidden="true" />
            {s.label}
          </li>
        ))}
      </ul>
      <div
        ref={holder}
        class="plot"
        role="img"
        aria-label={`${title}, stacked bar chart; the table below has the values`}
      />
      <details>
        <summary>Show as a table</summary>
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Day</th>
                {stacked.series.map((s) => (
                  <th scope="col" key={s.key}>
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {stacked.days.map((day, d) => (
                <tr key={day}>
                  <th scope="row">{day}</th>
                  {stacked.series.map((s) => (
                    <td key={s.key}>{kwh(s.values[d] ?? 0)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

export interface CurvePoint {
  t: number;
  powerKw: number | null;
  soc: number | null;
}

/** A session's power (solid line, left axis) and state of charge (dashed line, right axis). */
export function SessionCurve({ points, timeZone }: { points: CurvePoint[]; timeZone: string }) {
  const hasPower = points.some((p) => p.powerKw !== null);
  const hasSoc = points.some((p) => p.soc !== null);
  const holder = useUPlot(
    (width) => ({
      data: [
        points.map((p) => p.t / 1000),
        ...(hasPower ? [points.map((p) => p.powerKw)] : []),
        ...(hasSoc ? [points.map((p) => p.soc)] : []),
      ] as uPlot.AlignedData,
      options: {
        width,
        height: 260,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone),
        legend: { show: false },
        scales: {
          x: { time: true },
          kW: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
          soc: { range: [0, 100] },
        },
        axes: [
          { space: 70, values: (_u, splits) => splits.map((s) => time(s * 1000, timeZone)) },
          ...(hasPower ? [{ scale: 'kW', label: 'Power (kW)', size: 56 }] : []),
          ...(hasSoc
            ? [{ scale: 'soc', label: 'State of charge (%)', side: 1, size: 56, grid: { show: !hasPower } }]
            : []),
        ],
        series: [
          {},
          ...(hasPower
            ? [
                {
                  label: 'Power',
                  scale: 'kW',
                  stroke: colourAt(0),
                  width: 2,
                  spanGaps: false,
                  points: { show: false },
                },
              ]
            : []),
          ...(hasSoc
            ? [
                {
                  label: 'State of charge',
                  scale: 'soc',
                  stroke: colourAt(5),
                  width: 2,
                  dash: [6, 4],
                  spanGaps: true,
                  points: { show: false },
                },
              ]
            : []),
        ],
      },
    }),
    [points, timeZone],
  );
  const sampled = points.filter((_, i) => i % Math.max(1, Math.ceil(points.length / 24)) === 0);
  return (
    <figure class="chart">
      <figcaption>Power and state of charge ({timeZone})</figcaption>
      <ul class="legend">
        {hasPower && (
          <li>
            <span class="line solid" aria-hidden="true" /> Power, kW (solid, left axis)
          </li>
        )}
        {hasSoc && (
          <li>
            <span class="line dashed" aria-hidden="true" /> State of charge, % (dashed, right axis)
          </li>
        )}
      </ul>
      <div
        ref={holder}
        class="plot curve"
        role="img"
        aria-label="Charging curve; the table below has the values"
      />
      <details>
        <summary>Show as a table</summary>
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                {hasPower && <th scope="col">Power</th>}
                {hasSoc && <th scope="col">State of charge</th>}
              </tr>
            </thead>
            <tbody>
              {sampled.map((p) => (
                <tr key={p.t}>
                  <th scope="row">{time(p.t, timeZone)}</th>
                  {hasPower && <td>{p.powerKw === null ? '–' : kw(p.powerKw)}</td>}
                  {hasSoc && <td>{p.soc === null ? '–' : percent(p.soc)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

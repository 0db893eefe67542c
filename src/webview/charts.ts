// The panel's two charts on uPlot (bundled, no CDN): the cycle's burn-down and the daily spend by model.
// Colours are read from the theme each time a chart is built; the caller rebuilds on theme change.
import uPlot from 'uplot';
import type { BurnDown, DailySpend } from '../core/reports/panelModel';
import { NANOS_PER_USD, usdToNanos } from '../core/pricing/money';
import { formatUsd, type Clock } from './format';
import { withAlpha, type ChartTheme } from './theme';

const HEIGHT = 230;

/** One chart in a container that follows the container's width. */
export class Chart {
  private plot: uPlot | undefined;
  private readonly resize: ResizeObserver;

  constructor(private readonly container: HTMLElement) {
    this.resize = new ResizeObserver(() => {
      if (this.plot) this.plot.setSize({ width: this.width(), height: HEIGHT });
    });
    this.resize.observe(container);
  }

  width(): number {
    return Math.max(240, Math.floor(this.container.clientWidth));
  }

  set(opts: Omit<uPlot.Options, 'width' | 'height'>, data: uPlot.AlignedData): void {
    this.plot?.destroy();
    this.plot = new uPlot({ ...opts, width: this.width(), height: HEIGHT }, data, this.container);
  }

  destroy(): void {
    this.resize.disconnect();
    this.plot?.destroy();
    this.plot = undefined;
  }
}

function axes(theme: ChartTheme, clock: Clock): uPlot.Axis[] {
  const grid = withAlpha(theme.grid, theme.highContrast ? 0.6 : 0.18);
  const common = { stroke: theme.muted, font: theme.font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  return [
    { ...common, values: (_u, splits) => splits.map((s) => clock.date(s * 1000).replace(/, \d{4}$/, '')) },
    { ...common, size: 64, values: (_u, splits) => dollarTicks(splits) },
  ];
}

/** Tick labels with as many decimals as the step needs, the same for every tick ("$0", "$20", … or "$0.00", "$0.50", …). */
function dollarTicks(splits: number[]): string[] {
  const step = splits.length > 1 ? Math.abs(splits[1] - splits[0]) : Math.abs(splits[0] ?? 1);
  const decimals = step >= 1 ? 0 : step >= 0.01 ? 2 : 4;
  return splits.map((v) => formatUsd(usdToNanos(v), { decimals }));
}

/** Legend values show only while the cursor is over the chart. */
const legendUsd = (_u: uPlot, v: number | null): string => (v === null || v === undefined ? '' : formatUsd(usdToNanos(v)));

function timeSeries(clock: Clock): uPlot.Series {
  return { label: 'Time', value: (_u, v) => (v === null || v === undefined ? '' : clock.dateTime(v * 1000)) };
}

/** Draws a vertical "now" line (the chart's only annotation; uPlot has no markers of its own). */
function nowLine(nowSec: number, color: string): uPlot.Plugin {
  return {
    hooks: {
      draw: (u: uPlot) => {
        const x = u.valToPos(nowSec, 'x', true);
        if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = color;
        ctx.lineWidth = Math.max(1, devicePixelRatio);
        ctx.setLineDash([2 * devicePixelRatio, 3 * devicePixelRatio]);
        ctx.beginPath();
        ctx.moveTo(x, u.bbox.top);
        ctx.lineTo(x, u.bbox.top + u.bbox.height);
        ctx.stroke();
        ctx.restore();
      },
    },
  };
}

/**
 * Burn-down: with a plan, what is left (actual), the even pace from the allotment to zero and the
 * projection at the trailing-7-day rate; without one, the cumulative spend and its projection.
 */
export function burnDownChart(chart: Chart, b: BurnDown, theme: ChartTheme, clock: Clock): void {
  const withPlan = b.allotmentNanos !== null;
  const value = (p: { spentNanos: number; remainingNanos: number | null }): number => (withPlan ? (p.remainingNanos ?? 0) : p.spentNanos) / NANOS_PER_USD;
  const xs = new Set<number>([b.start, b.end, ...b.actual.map((p) => p.t), ...b.projection.map((p) => p.t)]);
  const x = [...xs].sort((a, c) => a - c);
  const at = new Map(x.map((t, i) => [t, i] as const));
  const actual: (number | null)[] = x.map(() => null);
  for (const p of b.actual) actual[at.get(p.t)!] = value(p);
  const projection: (number | null)[] = x.map(() => null);
  for (const p of b.projection) projection[at.get(p.t)!] = value(p);
  const series: uPlot.Series[] = [
    timeSeries(clock),
    { label: withPlan ? 'Remaining' : 'Spent', stroke: withAlpha(theme.blue, 1), fill: withAlpha(theme.blue, 0.12), width: 2, spanGaps: true, points: { show: false }, value: legendUsd },
  ];
  const data: (number | null)[][] = [actual];
  if (withPlan) {
    const pace: (number | null)[] = x.map(() => null);
    pace[at.get(b.start)!] = b.allotmentNanos! / NANOS_PER_USD;
    pace[at.get(b.end)!] = 0;
    series.push({ label: 'Even pace', stroke: theme.muted, width: 1, dash: [6, 4], spanGaps: true, points: { show: false }, value: legendUsd });
    data.push(pace);
  }
  if (b.projection.length) {
    const runsOut = withPlan && b.projection[b.projection.length - 1].t < b.end;
    // Some themes give chart colours transparency (charts.orange defaults to a minimap highlight): lines draw opaque.
    series.push({ label: runsOut ? 'Projection (runs out)' : 'Projection', stroke: withAlpha(runsOut ? theme.red : theme.orange, 1), width: 2, dash: [4, 4], spanGaps: true, points: { show: false }, value: legendUsd });
    data.push(projection);
  }
  chart.set(
    {
      series,
      axes: axes(theme, clock),
      scales: { x: { time: true, range: () => [b.start / 1000, b.end / 1000] }, y: { range: (_u, min, max) => [Math.min(0, min), Math.max(max, 0.01) * 1.05] } },
      legend: { show: true, live: true },
      cursor: { points: { show: false }, drag: { x: false, y: false } },
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), clock.zone),
      plugins: [nowLine(b.now / 1000, theme.muted)],
    },
    [x.map((t) => t / 1000), ...data] as uPlot.AlignedData,
  );
}

/** Daily spend stacked by model: each series is the running sum, drawn tallest first so lower ones cover it. */
export function dailyChart(chart: Chart, d: DailySpend, which: 'allNanos' | 'coveredNanos', theme: ChartTheme, clock: Clock, colorOf: (model: string) => string): void {
  const models = d.series.filter((s) => s[which].some((v) => v > 0));
  const stacks: number[][] = [];
  let running = d.days.map(() => 0);
  for (const s of models) {
    running = running.map((v, i) => v + s[which][i] / NANOS_PER_USD);
    stacks.push(running);
  }
  const bars = uPlot.paths.bars!({ size: [0.7, 48], align: 0 });
  const series: uPlot.Series[] = [{ label: 'Day', value: (_u, v) => (v === null || v === undefined ? '' : clock.date(v * 1000)) }];
  const data: number[][] = [];
  for (let k = models.length - 1; k >= 0; k--) {
    const s = models[k];
    const color = colorOf(s.model);
    series.push({
      label: s.model,
      stroke: color,
      fill: withAlpha(color, theme.highContrast ? 1 : 0.75),
      width: 0,
      paths: bars,
      points: { show: false },
      // The legend shows the model's own amount, not the running sum the bars stack.
      value: (_u, _v, _si, idx) => (idx === null || idx === undefined ? '' : formatUsd(s[which][idx])),
    });
    data.push(stacks[k]);
  }
  const x = d.dayStarts.map((t) => t / 1000);
  const halfDay = 43_200;
  chart.set(
    {
      series,
      axes: axes(theme, clock),
      scales: { x: { time: true, range: () => [x[0] - halfDay, x[x.length - 1] + halfDay] }, y: { range: (_u, _min, max) => [0, Math.max(max, 0.01) * 1.08] } },
      legend: { show: models.length > 0, live: true },
      cursor: { points: { show: false }, drag: { x: false, y: false } },
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), clock.zone),
    },
    [x, ...data] as uPlot.AlignedData,
  );
}

/**
 * A small SVG line chart, written by hand (no plotting package): one panel per scenario,
 * wall time against host count, one line per tool. The time axis is logarithmic because
 * the tools differ by more than an order of magnitude; equal slopes mean equal growth.
 */

export interface Series {
  label: string;
  color: string;
  dashed?: boolean;
  /** [hosts, seconds] */
  points: Array<[number, number]>;
}

export interface Panel {
  title: string;
  series: Series[];
}

const PANEL_WIDTH = 360;
const PANEL_HEIGHT = 300;
const MARGIN = { left: 56, right: 26, top: 34, bottom: 44 };
const LEGEND_HEIGHT = 26;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** 1-2-5 ticks covering [low, high]. */
function logTicks(low: number, high: number): number[] {
  const ticks: number[] = [];
  for (let decade = Math.floor(Math.log10(low)); decade <= Math.ceil(Math.log10(high)); decade++) {
    for (const step of [1, 2, 5]) {
      const value = step * 10 ** decade;
      if (value >= low && value <= high) ticks.push(value);
    }
  }
  return ticks;
}

function formatSeconds(value: number): string {
  return value >= 1 ? String(Number(value.toPrecision(3))) : value.toPrecision(1);
}

export function lineChart(title: string, panels: Panel[], hostCounts: number[]): string {
  const values = panels.flatMap((panel) => panel.series.flatMap((series) => series.points.map(([, seconds]) => seconds))).filter((value) => value > 0);
  const low = values.length > 0 ? Math.min(...values) / 1.5 : 0.1;
  const high = values.length > 0 ? Math.max(...values) * 1.5 : 10;
  const xMin = 0;
  const xMax = Math.max(...hostCounts, 1);
  const plotWidth = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (hosts: number) => MARGIN.left + ((hosts - xMin) / (xMax - xMin)) * plotWidth;
  const y = (seconds: number) => MARGIN.top + (1 - (Math.log10(seconds) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))) * plotHeight;

  const allSeries = new Map<string, Series>();
  panels.forEach((panel) => panel.series.forEach((series) => allSeries.set(series.label, series)));
  const width = PANEL_WIDTH * panels.length;
  const height = PANEL_HEIGHT + LEGEND_HEIGHT * Math.ceil(allSeries.size / 3) + 30;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];

  panels.forEach((panel, index) => {
    parts.push(`<g transform="translate(${index * PANEL_WIDTH},16)">`);
    parts.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${MARGIN.top - 10}" text-anchor="middle" font-size="12">${escapeXml(panel.title)}</text>`);
    for (const tick of logTicks(low, high)) {
      parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}" stroke="#e4e4e4"/>`);
      parts.push(`<text x="${MARGIN.left - 6}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end">${formatSeconds(tick)}</text>`);
    }
    for (const hosts of hostCounts) {
      parts.push(`<line x1="${x(hosts).toFixed(1)}" x2="${x(hosts).toFixed(1)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}" stroke="#f0f0f0"/>`);
      parts.push(`<text x="${x(hosts).toFixed(1)}" y="${MARGIN.top + plotHeight + 16}" text-anchor="middle">${hosts}</text>`);
    }
    parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#888"/>`);
    parts.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${MARGIN.top + plotHeight + 34}" text-anchor="middle">hosts</text>`);
    parts.push(
      `<text transform="translate(14,${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">seconds (log scale)</text>`,
    );
    for (const series of panel.series) {
      const points = [...series.points].filter(([, seconds]) => seconds > 0).sort((a, b) => a[0] - b[0]);
      if (points.length === 0) continue;
      const dash = series.dashed ? ' stroke-dasharray="5,4"' : '';
      const path = points.map(([hosts, seconds], at) => `${at === 0 ? 'M' : 'L'}${x(hosts).toFixed(1)},${y(seconds).toFixed(1)}`).join(' ');
      parts.push(`<path d="${path}" fill="none" stroke="${series.color}" stroke-width="2"${dash}/>`);
      for (const [hosts, seconds] of points) {
        parts.push(`<circle cx="${x(hosts).toFixed(1)}" cy="${y(seconds).toFixed(1)}" r="3" fill="${series.color}"><title>${escapeXml(`${series.label}: ${hosts} hosts, ${seconds.toFixed(2)} s`)}</title></circle>`);
      }
    }
    parts.push('</g>');
  });

  [...allSeries.values()].forEach((series, index) => {
    const legendX = 20 + (index % 3) * (width / 3);
    const legendY = PANEL_HEIGHT + 30 + Math.floor(index / 3) * LEGEND_HEIGHT;
    const dash = series.dashed ? ' stroke-dasharray="5,4"' : '';
    parts.push(`<line x1="${legendX}" x2="${legendX + 28}" y1="${legendY}" y2="${legendY}" stroke="${series.color}" stroke-width="2"${dash}/>`);
    parts.push(`<text x="${legendX + 34}" y="${legendY + 4}">${escapeXml(series.label)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

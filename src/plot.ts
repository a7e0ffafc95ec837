// Curves drawn for people: in a terminal as characters, and as an SVG file (the learning-rate range
// test; loss and accuracy per epoch), the pictures the seed's notebook would have drawn.

export interface Series {
  readonly name: string;
  /** [x, y] points; those with a non-finite y are left out. */
  readonly points: readonly (readonly [number, number])[];
}

export interface PlotOptions {
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** A logarithmic x axis (rates). */
  readonly logX?: boolean;
  /** A point to mark, e.g. the suggested rate. */
  readonly mark?: { readonly x: number; readonly label: string };
}

const finite = (s: Series) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));

function bounds(series: readonly Series[], logX: boolean) {
  const points = series.flatMap(finite);
  const fx = (x: number) => (logX ? Math.log10(x) : x);
  const xs = points.map(([x]) => fx(x)), ys = points.map(([, y]) => y);
  let [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  if (!(x1 > x0)) x1 = x0 + 1;
  if (!(y1 > y0)) y1 = y0 + 1;
  return { fx, x0, x1, y0, y1 };
}

/** A curve in characters (`rows` tall, `cols` wide), with its y range and x range written beside it. */
export function textPlot(series: Series, options: PlotOptions & { rows?: number; cols?: number } = {}): string {
  const rows = options.rows ?? 12, cols = options.cols ?? 60;
  const points = finite(series);
  if (points.length === 0) return '(nothing to draw)';
  const { fx, x0, x1, y0, y1 } = bounds([series], options.logX ?? false);
  const grid = Array.from({ length: rows }, () => new Array<string>(cols).fill(' '));
  for (const [x, y] of points) {
    const c = Math.round(((fx(x) - x0) / (x1 - x0)) * (cols - 1));
    const r = rows - 1 - Math.round(((y - y0) / (y1 - y0)) * (rows - 1));
    grid[r][c] = '•';
  }
  if (options.mark) {
    const c = Math.round(((fx(options.mark.x) - x0) / (x1 - x0)) * (cols - 1));
    if (c >= 0 && c < cols) for (const line of grid) if (line[c] === ' ') line[c] = '┊';
  }
  const label = (v: number) => v.toPrecision(3).padStart(9);
  const lines = grid.map((line, r) => `${r === 0 ? label(y1) : r === rows - 1 ? label(y0) : ' '.repeat(9)} │${line.join('')}`);
  const xText = (v: number) => (options.logX ? (10 ** v).toExponential(0) : v.toPrecision(3));
  lines.push(' '.repeat(10) + '└' + '─'.repeat(cols));
  lines.push(' '.repeat(11) + xText(x0) + ' '.repeat(Math.max(1, cols - xText(x0).length - xText(x1).length)) + xText(x1));
  if (options.title) lines.unshift(options.title);
  return lines.join('\n');
}

const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd'];
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One panel of curves as SVG elements, placed at (left, top) in a width × height box. */
function panel(series: readonly Series[], o: PlotOptions, left: number, top: number, width: number, height: number): string {
  const logX = o.logX ?? false;
  const { fx, x0, x1, y0, y1 } = bounds(series, logX);
  const px = (x: number) => left + 60 + ((fx(x) - x0) / (x1 - x0)) * (width - 80);
  const py = (y: number) => top + height - 40 - ((y - y0) / (y1 - y0)) * (height - 70);
  const parts: string[] = [];
  parts.push(`<rect x="${left + 60}" y="${top + 30}" width="${width - 80}" height="${height - 70}" fill="none" stroke="#888"/>`);
  if (o.title) parts.push(`<text x="${left + width / 2}" y="${top + 20}" text-anchor="middle" font-size="14">${escape(o.title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    parts.push(`<text x="${left + 55}" y="${py(y) + 4}" text-anchor="end" font-size="10">${y.toPrecision(3)}</text>`);
    const xv = x0 + ((x1 - x0) * i) / 4;
    const xText = logX ? (10 ** xv).toExponential(1) : Number(xv.toPrecision(3)).toString();
    parts.push(`<text x="${left + 60 + ((width - 80) * i) / 4}" y="${top + height - 25}" text-anchor="middle" font-size="10">${xText}</text>`);
  }
  if (o.xLabel) parts.push(`<text x="${left + width / 2}" y="${top + height - 8}" text-anchor="middle" font-size="11">${escape(o.xLabel)}</text>`);
  if (o.yLabel) parts.push(`<text x="${left + 14}" y="${top + height / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 ${left + 14} ${top + height / 2})">${escape(o.yLabel)}</text>`);
  series.forEach((s, i) => {
    const points = finite(s);
    if (points.length === 0) return;
    const colour = COLOURS[i % COLOURS.length];
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`);
    if (points.length < 60) for (const [x, y] of points) parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${colour}"/>`);
    parts.push(`<text x="${left + width - 25}" y="${top + 45 + 14 * i}" text-anchor="end" font-size="11" fill="${colour}">${escape(s.name)}</text>`);
  });
  if (o.mark) {
    const x = px(o.mark.x);
    parts.push(`<line x1="${x}" y1="${top + 30}" x2="${x}" y2="${top + height - 40}" stroke="#d62728" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${x + 4}" y="${top + 42}" font-size="10" fill="#d62728">${escape(o.mark.label)}</text>`);
  }
  return parts.join('\n');
}

/** An SVG document of one or more panels side by side, each with its curves. */
export function svgPlot(panels: readonly { readonly series: readonly Series[]; readonly options: PlotOptions }[]): string {
  const width = 480, height = 320;
  const body = panels.map((p, i) => panel(p.series, p.options, i * width, 0, width, height)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width * panels.length}" height="${height}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${body}\n</svg>\n`;
}

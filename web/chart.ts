// A small canvas chart of training: loss (left axis, from 0 to its maximum) and accuracy
// (right axis, 0–100 %) against epochs. A chart library would outweigh the library it charts.

export interface ChartSeries {
  readonly name: string;
  readonly color: string;
  /** 'loss' uses the left axis, 'accuracy' the right one (0–1). */
  readonly axis: 'loss' | 'accuracy';
  readonly points: { x: number; y: number }[];
}

export class TrainingChart {
  readonly series: ChartSeries[] = [
    { name: 'training loss', color: '#2f6fdb', axis: 'loss', points: [] },
    { name: 'training accuracy', color: '#7aa6ef', axis: 'accuracy', points: [] },
    { name: 'test accuracy', color: '#e07a10', axis: 'accuracy', points: [] },
  ];
  private epochs = 1;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.draw();
  }

  reset(epochs: number): void {
    this.epochs = epochs;
    for (const s of this.series) s.points.length = 0;
    this.draw();
  }

  add(name: string, x: number, y: number): void {
    const s = this.series.find((c) => c.name === name);
    if (!s || !Number.isFinite(y)) return;
    s.points.push({ x, y });
  }

  draw(): void {
    const c = this.canvas.getContext('2d')!;
    const { width: w, height: h } = this.canvas;
    const left = 44, right = 44, top = 26, bottom = 30;
    const pw = w - left - right, ph = h - top - bottom;
    c.clearRect(0, 0, w, h);
    c.font = '11px system-ui, sans-serif';
    const maxLoss = Math.max(1e-6, ...this.series.filter((s) => s.axis === 'loss').flatMap((s) => s.points.map((p) => p.y)));
    const px = (x: number) => left + (x / this.epochs) * pw;
    const py = (y: number, axis: ChartSeries['axis']) => top + ph - (axis === 'loss' ? y / maxLoss : y) * ph;

    c.strokeStyle = '#e3e5ea';
    c.fillStyle = '#666';
    c.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const y = top + (ph * i) / 4;
      c.beginPath(); c.moveTo(left, y); c.lineTo(left + pw, y); c.stroke();
      c.textAlign = 'right';
      c.fillText((maxLoss * (1 - i / 4)).toPrecision(2), left - 4, y + 4);
      c.textAlign = 'left';
      c.fillText(`${100 - 25 * i} %`, left + pw + 4, y + 4);
    }
    c.textAlign = 'center';
    const step = Math.max(1, Math.ceil(this.epochs / 10));
    for (let e = 0; e <= this.epochs; e += step) c.fillText(String(e), px(e), top + ph + 14);
    c.fillText('epoch', left + pw / 2, h - 2);

    for (const s of this.series) {
      if (s.points.length === 0) continue;
      c.strokeStyle = s.color;
      c.fillStyle = s.color;
      c.lineWidth = 2;
      c.beginPath();
      s.points.forEach((p, i) => (i === 0 ? c.moveTo(px(p.x), py(p.y, s.axis)) : c.lineTo(px(p.x), py(p.y, s.axis))));
      c.stroke();
      const last = s.points[s.points.length - 1];
      c.beginPath(); c.arc(px(last.x), py(last.y, s.axis), 3, 0, 2 * Math.PI); c.fill();
    }
    // legend
    c.textAlign = 'left';
    let x = left + 6;
    for (const s of this.series) {
      c.fillStyle = s.color;
      c.fillRect(x, 8, 10, 3);
      c.fillStyle = '#333';
      c.fillText(s.name, x + 14, 13);
      x += c.measureText(s.name).width + 28;
    }
  }
}

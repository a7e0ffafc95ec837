// A drawing turned into an MNIST-style input: the ink's bounding box scaled (anti-aliased) to fit
// 20×20 pixels with its aspect ratio kept, then placed in a 28×28 field with its centre of mass at
// the centre, as the MNIST digits were prepared. Values in [0, 1], white ink on black.

export const SIDE = 28;

/** The 784 pixel values of the drawing on `pad`, or null when nothing is drawn. */
export function mnistPixels(pad: HTMLCanvasElement, preview?: HTMLCanvasElement): Float32Array | null {
  const { width, height } = pad;
  const ink = pad.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, width, height).data;
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[4 * (y * width + x)] > 20) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  const boxW = x1 - x0 + 1, boxH = y1 - y0 + 1;
  const scale = 20 / Math.max(boxW, boxH);
  const w = boxW * scale, h = boxH * scale;

  // scale down in halving steps: one big drawImage step aliases thin strokes
  let source: HTMLCanvasElement | OffscreenCanvas = pad;
  let sx = x0, sy = y0, sw = boxW, sh = boxH;
  while (sw / 2 > w && sh / 2 > h) {
    const half = new OffscreenCanvas(Math.ceil(sw / 2), Math.ceil(sh / 2));
    const hc = half.getContext('2d')!;
    hc.imageSmoothingQuality = 'high';
    hc.drawImage(source, sx, sy, sw, sh, 0, 0, sw / 2, sh / 2);
    source = half; sx = 0; sy = 0; sw = sw / 2; sh = sh / 2;
  }
  const field = new OffscreenCanvas(SIDE, SIDE);
  const fc = field.getContext('2d', { willReadFrequently: true })!;
  fc.imageSmoothingQuality = 'high';
  fc.fillStyle = '#000';
  fc.fillRect(0, 0, SIDE, SIDE);
  fc.drawImage(source, sx, sy, sw, sh, (SIDE - w) / 2, (SIDE - h) / 2, w, h);

  // shift so the centre of mass sits at the centre (MNIST's last step)
  const first = fc.getImageData(0, 0, SIDE, SIDE).data;
  let mass = 0, mx = 0, my = 0;
  for (let i = 0; i < SIDE * SIDE; i++) {
    const v = first[4 * i];
    mass += v;
    mx += v * (i % SIDE);
    my += v * Math.floor(i / SIDE);
  }
  const dx = SIDE / 2 - 0.5 - mx / mass, dy = SIDE / 2 - 0.5 - my / mass;
  fc.fillRect(0, 0, SIDE, SIDE);
  fc.drawImage(source, sx, sy, sw, sh, (SIDE - w) / 2 + dx, (SIDE - h) / 2 + dy, w, h);
  const centred = fc.getImageData(0, 0, SIDE, SIDE);
  const pixels = new Float32Array(SIDE * SIDE);
  for (let i = 0; i < pixels.length; i++) pixels[i] = centred.data[4 * i] / 255;
  preview?.getContext('2d')!.putImageData(centred, 0, 0);
  return pixels;
}

/** Draws 784 values in [0, 1] as a 28×28 grey image. */
export function drawPixels(canvas: HTMLCanvasElement, pixels: ArrayLike<number>): void {
  const c = canvas.getContext('2d')!;
  const image = c.createImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const v = Math.round(Math.min(1, Math.max(0, pixels[i])) * 255);
    image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = v;
    image.data[4 * i + 3] = 255;
  }
  c.putImageData(image, 0, 0);
}

// MNIST's digit recipe in the browser: the JavaScript twin of the trainer's DigitPreprocessor.process(Picture),
// step for step, so the static web app (`simdnet export --web`) reads a drawing as `serve` and `classify` do.
// Java's float arithmetic is repeated with Math.fround wherever Java rounds to float (a float product or sum is
// exact in a double, so rounding it once gives Java's float bit for bit): on the same picture the two give the
// same 28x28 bytes (WebPreprocessTest checks it on rendered pen digits).
'use strict';

globalThis.DigitPreprocessor = (() => {
  const SIDE = 28, BOX = 20;
  // DigitPreprocessor.Config.DEFAULT
  const MIN_CONTRAST = 48, INK_THRESHOLD = 64, CROP_THRESHOLD = 40;
  const MIN_INK_FRACTION = 0.0015, MAX_INK_FRACTION = 0.5, MAX_BORDER_INK_FRACTION = 0.25;
  const f32 = Math.fround;
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

  /** Rec. 601 luma in fixed point (weights out of 1024), as DigitPreprocessor.luminance. */
  const luminance = (r, g, b) => (306 * r + 601 * g + 117 * b + 512) >> 10;

  /** Median of the outermost ring of pixels, by a 256-bin histogram. */
  function borderMedian(v, w, h) {
    const hist = new Int32Array(256);
    let n = 0;
    for (let x = 0; x < w; x++) {
      hist[v[x]]++; n++;
      if (h > 1) { hist[v[(h - 1) * w + x]]++; n++; }
    }
    for (let y = 1; y < h - 1; y++) {
      hist[v[y * w]]++; n++;
      if (w > 1) { hist[v[y * w + w - 1]]++; n++; }
    }
    const half = (n + 1) >> 1;
    for (let b = 0, seen = 0; b < 256; b++) {
      seen += hist[b];
      if (seen >= half) return b;
    }
    return 255;
  }

  /** The fraction of the outermost ring of pixels above threshold. */
  function borderFraction(v, w, h, threshold) {
    let n = 0, above = 0;
    for (let y = 0; y < h; y++) {
      const edgeRow = y === 0 || y === h - 1;
      for (let x = 0; x < w; x += edgeRow ? 1 : Math.max(1, w - 1)) {
        n++;
        if (v[y * w + x] > threshold) above++;
      }
    }
    return above / n;
  }

  /** Ink level -> stretched level: background -> 0, background + contrast -> 255, clamped (float gain, as Java). */
  function stretchTable(background, contrast) {
    const gain = f32(255 / contrast);
    const t = new Int32Array(256);
    for (let v = 0; v < 256; v++) t[v] = clamp(Math.round(f32((v - background) * gain)), 0, 255);
    return t;
  }

  /** The largest raw level whose stretched value is at most threshold. */
  function rawThreshold(stretch, threshold) {
    let raw = -1;
    while (raw < 255 && stretch[raw + 1] <= threshold) raw++;
    return raw;
  }

  /** Weights (m, n) of source pixels [0, n) in each of m output pixels covering the same extent, as floats. */
  function coverage(n, m) {
    const w = [];
    const step = n / m;
    for (let o = 0; o < m; o++) {
      const row = new Float32Array(n);
      const a = o * step, b = (o + 1) * step;
      for (let s = Math.floor(a); s < Math.min(n, Math.ceil(b)); s++) {
        const overlap = Math.min(b, s + 1) - Math.max(a, s);
        if (overlap > 0) row[s] = overlap / step; // stored as float, as Java's (float) cast
      }
      w.push(row);
    }
    return w;
  }

  /** The first and one-past-last non-zero weight of each output pixel. */
  function spans(w) {
    return w.map((row) => {
      let f = 0, t = row.length;
      while (f < t && row[f] === 0) f++;
      while (t > f && row[t - 1] === 0) t--;
      return [f, t];
    });
  }

  /** Area-averaging resample of the box (x0, y0, bw, bh) of stretch[src] to (oh, ow), 0..255 floats: rows, then columns. */
  function areaResample(src, stretch, srcW, x0, y0, bw, bh, ow, oh) {
    const wx = coverage(bw, ow), sx = spans(wx);
    const rows = new Float32Array(bh * ow); // (bh, ow)
    for (let y = 0; y < bh; y++) {
      const base = (y0 + y) * srcW + x0;
      for (let o = 0; o < ow; o++) {
        let acc = 0;
        const wo = wx[o];
        for (let s = sx[o][0]; s < sx[o][1]; s++) acc = f32(acc + f32(wo[s] * stretch[src[base + s]]));
        rows[y * ow + o] = acc;
      }
    }
    const wy = coverage(bh, oh), sy = spans(wy);
    const out = new Float32Array(oh * ow); // (oh, ow)
    for (let o = 0; o < oh; o++) {
      const wo = wy[o];
      for (let s = sy[o][0]; s < sy[o][1]; s++) {
        const k = wo[s], r = s * ow, d = o * ow;
        for (let x = 0; x < ow; x++) out[d + x] = f32(out[d + x] + f32(k * rows[r + x]));
      }
    }
    return out;
  }

  /** The small digit pasted into 28x28 with its centre of mass at (14, 14), whole pixels, as bytes 0..255. */
  function centred(small, ow, oh) {
    let sum = 0, sx = 0, sy = 0;
    for (let y = 0; y < oh; y++)
      for (let x = 0; x < ow; x++) {
        const v = small[y * ow + x];
        sum += v;
        sx += f32(v * x); // a float times an int is a float product in Java, summed in a double
        sy += f32(v * y);
      }
    const left = clamp(Math.round(SIDE / 2 - sx / sum), 0, SIDE - ow);
    const top = clamp(Math.round(SIDE / 2 - sy / sum), 0, SIDE - oh);
    const out = new Uint8Array(SIDE * SIDE);
    for (let y = 0; y < oh; y++)
      for (let x = 0; x < ow; x++) out[(top + y) * SIDE + left + x] = Math.min(255, Math.round(small[y * ow + x]));
    return out;
  }

  /**
   * Prepares a picture given as RGBA bytes (a canvas' getImageData): {digit: Uint8Array(784), the 28x28 input as
   * 0..255, white ink on black, row-major; reason: null}, or {digit: null, reason} when it holds no digit.
   */
  function process(width, height, rgba) {
    const w = width, h = height, n = w * h;
    if (!(w >= 1 && h >= 1) || rgba.length !== 4 * n) throw new Error(`a ${w}x${h} picture needs ${4 * n} RGBA bytes, got ${rgba.length}`);
    // (1) Ink: alpha where the picture has real transparency, else luminance, inverted when the border is light.
    let ink = new Int32Array(n);
    let transparent = false;
    for (let i = 0; i < n; i++) if (rgba[4 * i + 3] < 255) { transparent = true; break; }
    if (transparent) for (let i = 0; i < n; i++) ink[i] = rgba[4 * i + 3];
    else {
      for (let i = 0; i < n; i++) ink[i] = luminance(rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]);
      if (borderMedian(ink, w, h) > 127) for (let i = 0; i < n; i++) ink[i] = 255 - ink[i];
    }

    // (1b) Stretch: background (the border's median ink) -> 0, strongest ink -> 255.
    const background = borderMedian(ink, w, h);
    const columnMax = new Int32Array(w);
    for (let y = 0; y < h; y++)
      for (let x = 0, i = y * w; x < w; x++, i++) if (ink[i] > columnMax[x]) columnMax[x] = ink[i];
    let max = 0;
    for (const m of columnMax) max = Math.max(max, m);
    const contrast = max - background;
    if (contrast < MIN_CONTRAST)
      return { digit: null, reason: `no digit: the picture is blank (ink contrast ${Math.max(contrast, 0)}/255, need ${MIN_CONTRAST})` };
    const stretch = stretchTable(background, contrast);
    const strokeRaw = rawThreshold(stretch, INK_THRESHOLD), cropRaw = rawThreshold(stretch, CROP_THRESHOLD);
    let strokes = 0;
    const cropped = new Int32Array(h);
    for (let y = 0; y < h; y++)
      for (let x = 0, i = y * w; x < w; x++, i++) {
        if (ink[i] > strokeRaw) strokes++;
        if (ink[i] > cropRaw) cropped[y]++;
      }
    let y0 = 0, y1 = h - 1, x0 = 0, x1 = w - 1;
    while (y0 < h && cropped[y0] <= 0) y0++;
    while (y1 >= 0 && cropped[y1] <= 0) y1--;
    while (x0 < w && columnMax[x0] <= cropRaw) x0++;
    while (x1 >= 0 && columnMax[x1] <= cropRaw) x1--;

    // (2) Amount of ink.
    if (strokes < Math.max(4, MIN_INK_FRACTION * n) || x1 < 0)
      return { digit: null, reason: `no digit: too little ink (${strokes} of ${n} pixels)` };
    if (strokes > MAX_INK_FRACTION * n)
      return { digit: null, reason: `no digit: ink covers ${Math.round(100 * strokes / n)}% of the picture (noise, a photo, or a background the border does not show)` };
    const borderInk = borderFraction(ink, w, h, strokeRaw);
    if (borderInk > MAX_BORDER_INK_FRACTION)
      return { digit: null, reason: `no digit: ink covers ${Math.round(100 * borderInk)}% of the border, which should be plain background (noise or a photo?)` };

    // (3) + (4) Crop to the ink's box and scale its longer side to BOX px by area averaging; (5) + (6) centre.
    const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
    const scale = BOX / Math.max(bw, bh);
    const ow = clamp(Math.round(bw * scale), 1, BOX), oh = clamp(Math.round(bh * scale), 1, BOX);
    const small = areaResample(ink, stretch, w, x0, y0, bw, bh, ow, oh);
    ink = null;
    return { digit: centred(small, ow, oh), reason: null };
  }

  return { SIDE, process };
})();

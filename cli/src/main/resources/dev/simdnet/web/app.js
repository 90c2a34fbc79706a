// The draw-a-digit page of `simdnet export --web`, all in the browser: the served page's drawing (the same brush
// and curves as the server's StrokeRenderer), the canvas read by preprocess.js (MNIST's recipe, the twin of the
// trainer's DigitPreprocessor), and model.onnx run by onnxruntime-web's WebAssembly build, shipped beside it.
'use strict';

(() => {
  const pad = document.getElementById('pad');
  const ctx = pad.getContext('2d', { willReadFrequently: true });
  const guessEl = document.getElementById('guess');
  const confidenceEl = document.getElementById('confidence');
  const resultEl = document.getElementById('result');
  const errorEl = document.getElementById('error');
  const barsEl = document.getElementById('bars');
  const preview = document.getElementById('preview');
  const modelInfo = document.getElementById('model-info');

  const THROTTLE_MS = 50; // at most twenty readings a second while drawing (one takes a few ms)
  let brush = 20 / 280;   // brush diameter over the canvas' shorter side; model.json gives the exporter's

  let strokes = [];        // each stroke: [[x, y], ...] in canvas pixels, y down
  let current = null;      // the stroke being drawn
  let activePointer = null;
  let version = 0;         // bumped on every change of the drawing; an answer is shown only for the latest
  let session = null;      // the onnxruntime-web session, once loaded
  let meta = null;         // model.json
  let inFlight = false;
  let timer = null;
  let lastSent = -Infinity;

  // ------------------------------------------------------------------ drawing

  function point(e) {
    const r = pad.getBoundingClientRect();
    return [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height];
  }

  // The same rule as the server's StrokeRenderer: round brush, quadratic curves through segment midpoints.
  function redraw() {
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, pad.width, pad.height);
    const w = brush * Math.min(pad.width, pad.height);
    ctx.strokeStyle = ctx.fillStyle = '#000';
    ctx.lineWidth = w;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    for (const s of strokes) {
      if (s.length === 0) continue;
      if (s.length === 1) {
        ctx.beginPath();
        ctx.arc(s[0][0], s[0][1], w / 2, 0, 2 * Math.PI);
        ctx.fill();
        continue;
      }
      ctx.beginPath();
      ctx.moveTo(s[0][0], s[0][1]);
      for (let i = 1; i < s.length - 1; i++)
        ctx.quadraticCurveTo(s[i][0], s[i][1], (s[i][0] + s[i + 1][0]) / 2, (s[i][1] + s[i + 1][1]) / 2);
      ctx.lineTo(s[s.length - 1][0], s[s.length - 1][1]);
      ctx.stroke();
    }
  }

  pad.addEventListener('pointerdown', (e) => {
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    if (current) return; // one pointer draws at a time
    e.preventDefault();
    try { pad.setPointerCapture(e.pointerId); } catch (_) { /* a synthetic pointer cannot be captured */ }
    activePointer = e.pointerId;
    current = [point(e)];
    strokes.push(current);
    changed(false);
  });

  pad.addEventListener('pointermove', (e) => {
    if (!current || e.pointerId !== activePointer) return;
    e.preventDefault();
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
    for (const c of (events.length ? events : [e])) current.push(point(c));
    changed(false);
  });

  function endStroke(e) {
    if (!current || e.pointerId !== activePointer) return;
    current = null;
    activePointer = null;
    changed(true);
  }
  pad.addEventListener('pointerup', endStroke);
  pad.addEventListener('pointercancel', endStroke);
  // No page scroll, zoom or context menu while drawing on touch screens.
  pad.addEventListener('touchstart', (e) => e.preventDefault(), { passive: false });
  pad.addEventListener('touchmove', (e) => e.preventDefault(), { passive: false });
  pad.addEventListener('contextmenu', (e) => e.preventDefault());

  function changed(now) {
    version++;
    pad.dataset.version = String(version);
    pad.dataset.drawing = current ? 'true' : 'false';
    pad.dataset.strokes = String(strokes.length);
    redraw();
    if (strokes.length === 0) showBlank();
    else schedule(now);
  }

  function clear() {
    strokes = [];
    current = null;
    activePointer = null;
    changed(true);
  }

  function undo() {
    if (current) return;
    strokes.pop();
    changed(true);
  }

  document.getElementById('clear').addEventListener('click', clear);
  document.getElementById('undo').addEventListener('click', undo);
  document.addEventListener('keydown', (e) => {
    if (e.altKey) return;
    const k = e.key.toLowerCase();
    if ((e.ctrlKey || e.metaKey) && k === 'z') { e.preventDefault(); undo(); }
    else if (e.ctrlKey || e.metaKey) return;
    else if (k === 'escape' || k === 'delete' || k === 'c') { e.preventDefault(); clear(); }
    else if (k === 'backspace' || k === 'u') { e.preventDefault(); undo(); }
  });

  // ------------------------------------------------------------------ predictions

  // One reading at a time; while drawing, one every THROTTLE_MS; when a stroke ends, at once.
  function schedule(now) {
    if (inFlight || !session) return; // the reading's end (or the model's arrival) reads the latest drawing
    const wait = now ? 0 : Math.max(0, lastSent + THROTTLE_MS - performance.now());
    if (timer !== null) {
      if (!now) return;
      clearTimeout(timer);
    }
    timer = setTimeout(read, wait);
  }

  /** The drawing on the canvas, read as the server reads the same strokes: preprocessing, then the network. */
  async function read() {
    timer = null;
    if (strokes.length === 0) return;
    inFlight = true;
    lastSent = performance.now();
    const v = version;
    try {
      const r = DigitPreprocessor.process(pad.width, pad.height, ctx.getImageData(0, 0, pad.width, pad.height).data);
      if (r.digit === null) {
        show({ index: null }, v);
        return;
      }
      const x = new Float32Array(r.digit.length);
      for (let i = 0; i < x.length; i++) x[i] = r.digit[i] / 255; // pixels in [0, 1]: the model normalizes
      const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, [1, 1, 28, 28]) });
      const p = Array.from(out.probabilities.data);
      let best = 0;
      for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
      if (v === version) show({ index: best, probabilities: p, input: x }, v);
    } catch (err) {
      showError('The model could not read the drawing: ' + err, v);
    } finally {
      inFlight = false;
      if (v !== version && strokes.length > 0) schedule(!current);
    }
  }

  function setResult(label, v) {
    resultEl.dataset.digit = label === null ? 'none' : label;
    resultEl.dataset.version = String(v);
  }

  function showBlank() {
    if (timer !== null) { clearTimeout(timer); timer = null; }
    errorEl.hidden = true;
    guessEl.textContent = 'no digit';
    guessEl.classList.add('none');
    confidenceEl.textContent = 'Draw a digit in the box.';
    drawBars(null, -1);
    drawPreview(null);
    setResult(null, version);
  }

  function show(a, v) {
    errorEl.hidden = true;
    if (a.index === null) {
      guessEl.textContent = 'no digit';
      guessEl.classList.add('none');
      confidenceEl.textContent = 'Not enough ink to read: keep drawing.';
      drawBars(null, -1);
      drawPreview(null);
      setResult(null, v);
      return;
    }
    const label = meta.classes[a.index];
    guessEl.textContent = label;
    guessEl.classList.remove('none');
    confidenceEl.textContent = (100 * a.probabilities[a.index]).toFixed(1) + '% sure';
    drawBars(a.probabilities, a.index);
    drawPreview(a.input);
    setResult(label, v);
  }

  function showError(message, v) {
    errorEl.textContent = message;
    errorEl.hidden = false;
    if (v !== undefined) resultEl.dataset.version = String(v); // answered, though with an error
    resultEl.dataset.digit = 'error';
  }

  const bars = [];
  function makeBars(classes) {
    barsEl.replaceChildren();
    bars.length = 0;
    for (const name of classes) {
      const row = document.createElement('div');
      row.className = 'bar';
      row.innerHTML = '<span class="label"></span><span class="track"><span class="fill"></span></span><span class="pct"></span>';
      row.querySelector('.label').textContent = name;
      barsEl.appendChild(row);
      bars.push({ row, fill: row.querySelector('.fill'), pct: row.querySelector('.pct') });
    }
  }

  function drawBars(p, top) {
    bars.forEach((b, d) => {
      const v = p ? p[d] : 0;
      b.fill.style.width = (100 * v).toFixed(1) + '%';
      b.pct.textContent = p ? (100 * v).toFixed(1) + '%' : '';
      b.row.classList.toggle('top', d === top);
    });
  }

  function drawPreview(input) {
    const pctx = preview.getContext('2d');
    const img = pctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const g = input ? Math.round(255 * input[i]) : 0;
      img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = g;
      img.data[4 * i + 3] = 255;
    }
    pctx.putImageData(img, 0, 0);
  }

  // ------------------------------------------------------------------ the model

  function describe(m) {
    const parts = [m.architecture];
    if (m.test_accuracy !== null && m.test_accuracy !== undefined) parts.push((100 * m.test_accuracy).toFixed(2) + '% on the MNIST test set');
    parts.push(m.parameters.toLocaleString('en') + ' parameters');
    parts.push((m.file_bytes / 1024).toFixed(0) + ' kB');
    parts.push('onnxruntime-web ' + m.runtime);
    return parts.join(' · ');
  }

  async function load() {
    try {
      meta = await (await fetch('model.json')).json();
      brush = meta.brush;
      makeBars(meta.classes);
      // The one WebAssembly file shipped (ort/ort-wasm.wasm): no SIMD and no threads, so no other file is asked for
      // and the page needs no cross-origin isolation headers from whatever serves it.
      ort.env.wasm.wasmPaths = 'ort/';
      ort.env.wasm.simd = false;
      ort.env.wasm.numThreads = 1;
      session = await ort.InferenceSession.create('model.onnx', { executionProviders: ['wasm'] });
      modelInfo.textContent = describe(meta);
      redraw();
      document.body.dataset.ready = 'true';
      if (strokes.length > 0) schedule(true);
    } catch (err) {
      showError('The model did not load (' + err + '): serve this folder over HTTP (a file:// page cannot load it).');
    }
  }

  redraw();
  showBlank();
  load();
})();

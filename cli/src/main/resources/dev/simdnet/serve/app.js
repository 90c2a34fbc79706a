// The draw-a-digit page: pointer-event drawing with the server's brush, throttled calls to /api/predict while
// drawing, and the answer shown as a guess, ten bars, the 28x28 input and the conv feature maps.
// The same page runs without a server (export --web): there window.simdnetLocal reads the drawing in the browser,
// with the answers /api/models and /api/predict would give (web/local.js).
'use strict';

(() => {
  const local = window.simdnetLocal || null;
  const pad = document.getElementById('pad');
  const ctx = pad.getContext('2d');
  const guessEl = document.getElementById('guess');
  const confidenceEl = document.getElementById('confidence');
  const resultEl = document.getElementById('result');
  const errorEl = document.getElementById('error');
  const barsEl = document.getElementById('bars');
  const preview = document.getElementById('preview');
  const featuresEl = document.getElementById('features');
  const modelSelect = document.getElementById('model');
  const modelInfo = document.getElementById('model-info');
  const fixEl = document.getElementById('fix');
  const fixDigits = document.getElementById('fix-digits');
  const fixStatus = document.getElementById('fix-status');

  const THROTTLE_MS = 100;       // at most ten predictions a second while drawing
  const MAX_MAPS_PER_LAYER = 32; // feature maps shown per conv layer
  let brush = 20 / 280;          // brush diameter over the canvas' shorter side; /api/models gives the server's

  let strokes = [];        // each stroke: [[x, y], ...] in canvas pixels, y down
  let current = null;      // the stroke being drawn
  let activePointer = null;
  let version = 0;         // bumped on every change of the drawing; an answer is shown only for the latest
  let model = null;        // null: the server's default
  let models = [];
  let inFlight = false;
  let timer = null;
  let lastSent = -Infinity;
  let corrections = false; // the server keeps corrections (serve --corrections DIR)

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
    if (e.target instanceof HTMLSelectElement || e.altKey) return;
    const k = e.key.toLowerCase();
    if ((e.ctrlKey || e.metaKey) && k === 'z') { e.preventDefault(); undo(); }
    else if (e.ctrlKey || e.metaKey) return;
    else if (k === 'escape' || k === 'delete' || k === 'c') { e.preventDefault(); clear(); }
    else if (k === 'backspace' || k === 'u') { e.preventDefault(); undo(); }
    else if (/^[1-9]$/.test(k) && models.length > 1 && +k <= models.length) { pickModel(models[+k - 1].name); }
  });

  // ------------------------------------------------------------------ predictions

  // One request in flight at most; while drawing, one every THROTTLE_MS; when a stroke ends, at once.
  function schedule(now) {
    if (inFlight) return; // the answer's arrival sends the latest drawing if it changed
    const wait = now ? 0 : Math.max(0, lastSent + THROTTLE_MS - performance.now());
    if (timer !== null) {
      if (!now) return;
      clearTimeout(timer);
    }
    timer = setTimeout(send, wait);
  }

  async function send() {
    timer = null;
    if (strokes.length === 0) return;
    inFlight = true;
    lastSent = performance.now();
    const v = version;
    const body = {
      strokes: strokes.filter((s) => s.length > 0).map((s) => s.map(([x, y]) => [Math.round(x * 10) / 10, Math.round(y * 10) / 10])),
      canvas: [pad.width, pad.height],
      features: true,
    };
    if (model) body.model = model;
    try {
      if (local) {
        const answer = await local.predict(pad);
        if (v === version) show(answer, v);
      } else {
        const r = await fetch('api/predict', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
        const answer = await r.json();
        if (!r.ok) showError(answer.error || ('HTTP ' + r.status), v);
        else if (v === version) show(answer, v);
      }
    } catch (err) {
      showError(local ? 'The model could not read the drawing: ' + err : 'The server did not answer: is it still running?', v);
    } finally {
      inFlight = false;
      if (v !== version && strokes.length > 0) schedule(!current);
    }
  }

  function pct(p) { return (100 * p).toFixed(1) + '%'; }

  // ------------------------------------------------------------------ corrections

  // "Wrong? It was: 0-9": the drawing and the right digit go to /api/feedback, kept for fine-tuning.
  for (let d = 0; d < 10; d++) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = String(d);
    b.dataset.label = String(d);
    b.title = 'It was a ' + d + ': keep this drawing to learn from';
    b.addEventListener('click', () => correct(d));
    fixDigits.appendChild(b);
  }

  function showFix(show) {
    fixEl.hidden = !(corrections && show);
    if (!show) { fixStatus.textContent = ''; delete fixEl.dataset.saved; }
  }

  async function correct(label) {
    if (strokes.length === 0) return;
    const body = {
      label,
      strokes: strokes.filter((s) => s.length > 0).map((s) => s.map(([x, y]) => [Math.round(x * 10) / 10, Math.round(y * 10) / 10])),
      canvas: [pad.width, pad.height],
    };
    if (model) body.model = model;
    fixStatus.textContent = 'Saving...';
    try {
      const r = await fetch('api/feedback', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const answer = await r.json();
      if (!r.ok) { fixStatus.textContent = answer.error || ('HTTP ' + r.status); fixEl.dataset.saved = 'error'; return; }
      fixStatus.textContent = 'Kept as a ' + answer.label + ', thank you (' + answer.corrections + ' corrections so far).';
      fixEl.dataset.saved = answer.label;
    } catch (err) {
      fixStatus.textContent = 'The server did not answer: is it still running?';
      fixEl.dataset.saved = 'error';
    }
  }

  function setResult(digit, v, sure) {
    showFix(digit !== null);
    resultEl.dataset.digit = digit === null ? 'none' : String(digit);
    resultEl.dataset.sure = digit === null ? '' : String(sure !== false);
    resultEl.dataset.version = String(v);
  }

  function showBlank() {
    if (timer !== null) { clearTimeout(timer); timer = null; }
    errorEl.hidden = true;
    guessEl.textContent = 'no digit';
    guessEl.classList.add('none');
    guessEl.classList.remove('unsure');
    confidenceEl.textContent = 'Draw a digit in the box.';
    drawBars(null, -1);
    drawPreview(null);
    clearFeatures();
    setResult(null, version);
  }

  function show(a, v) {
    errorEl.hidden = true;
    if (a.digit === null) {
      guessEl.textContent = 'no digit';
      guessEl.classList.add('none');
      guessEl.classList.remove('unsure');
      confidenceEl.textContent = 'Not enough ink to read: keep drawing.';
      drawBars(null, -1);
      drawPreview(null);
      clearFeatures();
    } else if (a.sure === false) {
      // Under the threshold calibrated on validation writers: say so, with the two best guesses.
      guessEl.textContent = a.digit + ' or ' + a.second + '?';
      guessEl.classList.remove('none');
      guessEl.classList.add('unsure');
      confidenceEl.textContent = 'Not sure: ' + pct(a.probabilities[a.digit]) + ' ' + a.digit + ', ' + pct(a.probabilities[a.second]) + ' ' + a.second + '.';
      drawBars(a.probabilities, a.digit);
      drawPreview(a.input);
      drawFeatures(a.features || []);
    } else {
      guessEl.textContent = String(a.digit);
      guessEl.classList.remove('none', 'unsure');
      confidenceEl.textContent = pct(a.probabilities[a.digit]) + ' sure';
      drawBars(a.probabilities, a.digit);
      drawPreview(a.input);
      drawFeatures(a.features || []);
    }
    setResult(a.digit, v, a.sure);
  }

  function showError(message, v) {
    errorEl.textContent = message;
    errorEl.hidden = false;
    if (v !== undefined) resultEl.dataset.version = String(v); // answered, though with an error
    resultEl.dataset.digit = 'error';
  }

  function clearFeatures() {
    featuresEl.replaceChildren();
    delete featuresEl.dataset.key;
  }

  const bars = [];
  for (let d = 0; d < 10; d++) {
    const row = document.createElement('div');
    row.className = 'bar';
    row.innerHTML = '<span class="label"></span><span class="track"><span class="fill"></span></span><span class="pct"></span>';
    row.querySelector('.label').textContent = String(d);
    barsEl.appendChild(row);
    bars.push({ row, fill: row.querySelector('.fill'), pct: row.querySelector('.pct') });
  }

  function drawBars(p, top) {
    for (let d = 0; d < 10; d++) {
      const v = p ? p[d] : 0;
      bars[d].fill.style.width = (100 * v).toFixed(1) + '%';
      bars[d].pct.textContent = p ? (100 * v).toFixed(1) + '%' : '';
      bars[d].row.classList.toggle('top', d === top);
    }
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

  // Each layer: uint8 planes (channels, height, width) in base64.
  function drawFeatures(layers) {
    const key = layers.map((l) => l.layer + ':' + l.height + 'x' + l.width + 'x' + l.channels).join(',');
    if (featuresEl.dataset.key !== key) {
      featuresEl.replaceChildren();
      featuresEl.dataset.key = key;
      for (const l of layers) {
        const box = document.createElement('div');
        box.className = 'layer';
        const h = document.createElement('h3');
        const shown = Math.min(l.channels, MAX_MAPS_PER_LAYER);
        h.textContent = `${l.layer}: ${l.channels} maps of ${l.height} × ${l.width}` + (shown < l.channels ? ` (first ${shown} shown)` : '');
        const maps = document.createElement('div');
        maps.className = 'maps';
        const side = Math.max(28, Math.round(56 * l.height / 28)); // small images, larger for the early layers
        for (let c = 0; c < shown; c++) {
          const cv = document.createElement('canvas');
          cv.width = l.width;
          cv.height = l.height;
          cv.style.width = cv.style.height = Math.min(side, 56) + 'px';
          maps.appendChild(cv);
        }
        box.append(h, maps);
        featuresEl.appendChild(box);
      }
    }
    const boxes = featuresEl.children;
    layers.forEach((l, li) => {
      const bytes = Uint8Array.from(atob(l.data), (ch) => ch.charCodeAt(0));
      const canvases = boxes[li].querySelectorAll('canvas');
      const plane = l.height * l.width;
      canvases.forEach((cv, c) => {
        const g2 = cv.getContext('2d');
        const img = g2.createImageData(l.width, l.height);
        for (let i = 0; i < plane; i++) {
          const g = bytes[c * plane + i];
          img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = g;
          img.data[4 * i + 3] = 255;
        }
        g2.putImageData(img, 0, 0);
      });
    });
  }

  // ------------------------------------------------------------------ models

  function describe(m) {
    const parts = [m.architecture];
    if (m.test_accuracy !== null && m.test_accuracy !== undefined) parts.push((100 * m.test_accuracy).toFixed(2) + '% on the MNIST test set');
    parts.push(m.parameters.toLocaleString('en') + ' parameters');
    parts.push((m.file_bytes / 1024).toFixed(0) + ' kB');
    if (m.runtime) parts.push(m.runtime);
    return parts.join(' · ');
  }

  function pickModel(name) {
    model = name;
    modelSelect.value = name;
    const m = models.find((x) => x.name === name);
    modelInfo.textContent = m ? describe(m) : '';
    if (strokes.length > 0) { version++; pad.dataset.version = String(version); schedule(true); }
  }

  modelSelect.addEventListener('change', () => pickModel(modelSelect.value));

  async function loadModels() {
    try {
      const list = local ? await local.models() : await (await fetch('api/models')).json();
      brush = list.brush;
      corrections = list.corrections === true;
      models = list.models;
      modelSelect.replaceChildren(...models.map((m, i) => {
        const o = document.createElement('option');
        o.value = m.name;
        o.textContent = (models.length > 1 ? (i + 1) + ': ' : '') + m.name
          + (m.test_accuracy != null ? ' (' + (100 * m.test_accuracy).toFixed(2) + '%)' : '');
        return o;
      }));
      modelSelect.disabled = models.length < 2;
      pickModel(list.default);
      redraw();
      document.body.dataset.ready = 'true';
    } catch (err) {
      showError(local ? 'The model did not load (' + err + '): serve this folder over HTTP (a file:// page cannot load it).'
        : 'Cannot reach the server: reload the page once it runs.');
    }
  }

  redraw();
  showBlank();
  loadModels();
})();

// The served page's reader, in the browser (export --web): the served app.js asks window.simdnetLocal instead of
// the server. models() answers as /api/models does (from model.json, which the exporter writes in that form) once
// model.onnx is loaded into onnxruntime-web; predict(canvas) answers as /api/predict does, from the drawing on the
// canvas: MNIST's preprocessing (preprocess.js, the twin of the trainer's DigitPreprocessor), then the network.
'use strict';

window.simdnetLocal = (() => {
  let session = null;

  async function models() {
    const list = await (await fetch('model.json')).json();
    // The one WebAssembly file shipped (ort/ort-wasm.wasm): no SIMD and no threads, so no other file is asked for
    // and the page needs no cross-origin isolation headers from whatever serves it.
    ort.env.wasm.wasmPaths = 'ort/';
    ort.env.wasm.simd = false;
    ort.env.wasm.numThreads = 1;
    session = await ort.InferenceSession.create('model.onnx', { executionProviders: ['wasm'] });
    return list;
  }

  async function predict(canvas) {
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const r = DigitPreprocessor.process(canvas.width, canvas.height, pixels);
    if (r.digit === null) return { digit: null, reason: r.reason };
    const input = new Float32Array(r.digit.length);
    for (let i = 0; i < input.length; i++) input[i] = r.digit[i] / 255; // pixels in [0, 1]: the model normalizes them
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, [1, 1, 28, 28]) });
    const probabilities = Array.from(out.probabilities.data);
    let digit = 0;
    for (let c = 1; c < probabilities.length; c++) if (probabilities[c] > probabilities[digit]) digit = c;
    return { digit, probabilities, input: Array.from(input) };
  }

  return { models, predict };
})();

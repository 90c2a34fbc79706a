// Build step of the cli module (exec-maven-plugin, process-resources): takes onnxruntime-web from the npm
// registry with `npm pack`, checks the tarball against the pinned integrity, and copies the two files the static
// web app needs (`simdnet export --web`) into the jar's resources. The page never fetches anything.
//
//   node onnxruntime-web.mjs OUT_DIR WORK_DIR
//
// Why 1.10.0, the wasm-core bundle and the plain (non-SIMD, non-threaded) ort-wasm.wasm: it is the smallest build
// that loads the ONNX models simdnet writes (IR version 8, opset 13; onnxruntime 1.10 reads IR 8 and opsets to 15)
// and runs on any page without cross-origin isolation. Deflated in the jar (gzip -9 sizes, measured 2026-12-04):
// 1.10.0 ort-wasm.wasm 1.85 MB, its SIMD twin 1.97 MB; 1.14.0 ort-wasm-simd.wasm 2.79 MB; 1.20.1 (threaded builds
// only) 2.96 MB; 1.31.1 3.80 MB. cli.jar has a 5 MB budget; a 29k-parameter network needs no SIMD (BENCHMARKS.md).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const PACKAGE = 'onnxruntime-web';
const VERSION = '1.10.0';
const INTEGRITY = 'sha512-9qlhP84AFZRzRxnxh22Q+ynLI7vs2cC6HeovUDc4J+3kU2wFwOYZD3craANMJbbQV+Il0eAH5DbFjJ+symomWQ==';
/** Path in the tarball -> name in OUT_DIR. */
const FILES = { 'package/dist/ort.wasm-core.min.js': 'ort.wasm-core.min.js', 'package/dist/ort-wasm.wasm': 'ort-wasm.wasm' };
const STAMP = 'onnxruntime-web.json';

const [outDir, workDir] = process.argv.slice(2);
if (!outDir || !workDir) fail('usage: node onnxruntime-web.mjs OUT_DIR WORK_DIR');

function fail(message) {
  console.error(`error: ${message}`);
  process.exit(1);
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

// Already there from an earlier build, byte for byte: nothing to do (and no registry needed, as with mvn -o).
function upToDate() {
  const stamp = join(outDir, STAMP);
  if (!existsSync(stamp)) return false;
  try {
    const s = JSON.parse(readFileSync(stamp, 'utf8'));
    return s.version === VERSION && s.integrity === INTEGRITY
      && Object.values(FILES).every((f) => existsSync(join(outDir, f)) && sha256(readFileSync(join(outDir, f))) === s.sha256[f]);
  } catch {
    return false;
  }
}

/** The regular files of a tar archive, by name (ustar: 512-byte headers, octal sizes, names split in prefix and name). */
function untar(tar) {
  const files = new Map();
  const text = (off, len) => tar.subarray(off, off + len).toString('latin1').replace(/\0.*$/s, '');
  for (let off = 0; off + 512 <= tar.length;) {
    const name = text(off, 100);
    if (!name) break; // the two zero blocks at the end
    const size = parseInt(text(off + 124, 12).trim(), 8);
    const type = text(off + 156, 1);
    const prefix = text(off + 345, 155);
    if (!(size >= 0)) fail(`the ${PACKAGE} tarball has a damaged header at byte ${off}`);
    if (type === '0' || type === '') files.set(prefix ? `${prefix}/${name}` : name, tar.subarray(off + 512, off + 512 + size));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

if (upToDate()) process.exit(0);

mkdirSync(workDir, { recursive: true });
let packed;
try {
  // --prefer-offline: npm's own cache answers a second build without the registry.
  packed = JSON.parse(execFileSync('npm', ['pack', `${PACKAGE}@${VERSION}`, '--json', '--prefer-offline', '--ignore-scripts',
    '--pack-destination', workDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
} catch (e) {
  fail(`npm pack ${PACKAGE}@${VERSION} failed (${e.code === 'ENOENT' ? 'npm is not installed: install Node.js and npm' : e.message.split('\n')[0]}); `
    + 'the build takes the web app\'s runtime from the npm registry');
}
const tgz = readFileSync(join(workDir, packed[0].filename));
const integrity = 'sha512-' + createHash('sha512').update(tgz).digest('base64');
if (integrity !== INTEGRITY) fail(`${packed[0].filename} has integrity ${integrity}, but ${PACKAGE}@${VERSION} is pinned to ${INTEGRITY}`);

const entries = untar(gunzipSync(tgz));
mkdirSync(outDir, { recursive: true });
for (const f of readdirSync(outDir)) rmSync(join(outDir, f)); // no file of another version stays behind
const hashes = {};
for (const [from, to] of Object.entries(FILES)) {
  const bytes = entries.get(from);
  if (!bytes) fail(`${PACKAGE}@${VERSION} has no ${from}`);
  writeFileSync(join(outDir, to), bytes);
  hashes[to] = sha256(bytes);
}
writeFileSync(join(outDir, STAMP), JSON.stringify({ package: PACKAGE, version: VERSION, integrity: INTEGRITY, license: 'MIT', sha256: hashes }, null, 2) + '\n');
console.log(`${PACKAGE}@${VERSION}: ${Object.values(FILES).join(', ')} (integrity checked) -> ${outDir}`);

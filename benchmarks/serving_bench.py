"""The serving figures of issue 5, measured against a real `serve` process on loopback, written as the "Serving"
section of BENCHMARKS.md. Run through benchmarks/run-serving.sh, which builds the jar first.

1. start to first answer: from launching the JVM to the first 200 of a single-image /v2/models/{name}/infer;
2. pen-written digits: every pendigits trajectory through /api/predict as strokes (pendigits_client.py);
3. single-image throughput: wrk, 16 connections, one FP32 [1, 1, 28, 28] MNIST test image per request;
4. batched inference: wrk, 2 connections, 256 UINT8 images per request;
5. resident memory of the server (VmRSS after the load, and its peak VmHWM).
"""
import argparse
import gzip
import json
import math
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_md  # noqa: E402


def mnist_test_images(path, n):
    with gzip.open(path) as f:
        data = f.read()
    count, rows, cols = int.from_bytes(data[4:8], "big"), int.from_bytes(data[8:12], "big"), int.from_bytes(data[12:16], "big")
    assert rows == 28 and cols == 28 and n <= count
    return [list(data[16 + i * 784:16 + (i + 1) * 784]) for i in range(n)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url, body, timeout=5):
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.read()


def rss_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def wrk(url, body_file, connections, seconds, threads=2):
    lua = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    lua.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
              f'local f = io.open("{body_file}", "rb")\nwrk.body = f:read("*a")\nf:close()\n')
    lua.close()
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency", "-s", lua.name, url],
                         capture_output=True, text=True, timeout=seconds + 60).stdout
    os.unlink(lua.name)

    def ms(text):
        v, unit = float(re.match(r"([\d.]+)(\w+)", text).group(1)), re.match(r"([\d.]+)(\w+)", text).group(2)
        return v * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    errors = sum(int(x) for x in m.groups()) if (m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)) else 0
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "requests": total, "non2xx": non2xx, "socket_errors": errors, "raw": out}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", default="cli/target/cli.jar")
    ap.add_argument("--data", default=os.path.join(os.path.dirname(os.getcwd()), "shared", "data"))
    ap.add_argument("--model", default=None, help="checkpoint to serve (default: the jar's bundled model)")
    ap.add_argument("--model-note", default="", help="what the served model is, for the report")
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--java-opts", default="-Xms32m -Xmx176m -XX:+UseSerialGC")
    ap.add_argument("--load", default="", help="the load seen before the run, for the report")
    ap.add_argument("--idle-before-load", type=float, default=0,
                    help="seconds the server is left idle after its first answer before the load (its own warm-up); default 0")
    ap.add_argument("--no-pendigits", action="store_true", help="skip the accuracy run (quick throughput checks; no BENCHMARKS.md)")
    ap.add_argument("--out", default="bench-out/serving")
    ap.add_argument("--markdown", default="BENCHMARKS.md")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    java = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    name = "default" if a.model is None else "bench"
    cmd = [java, "--add-modules", "jdk.incubator.vector", *a.java_opts.split(), "-jar", a.jar, "serve", "--port", str(port)]
    if a.model:
        cmd += ["--model", f"bench={a.model}"]

    images = mnist_test_images(os.path.join(a.data, "mnist", "t10k-images-idx3-ubyte.gz"), 256)
    single = json.dumps({"id": "bench", "inputs": [{"name": "input", "shape": [1, 1, 28, 28], "datatype": "FP32",
                                                    "data": [round(v / 255, 4) for v in images[0]]}]}).encode()
    batch = json.dumps({"inputs": [{"name": "input", "shape": [256, 784], "datatype": "UINT8", "data": [v for im in images for v in im]}]}).encode()
    single_file, batch_file = os.path.join(a.out, "single.json"), os.path.join(a.out, "batch256.json")
    open(single_file, "wb").write(single)
    open(batch_file, "wb").write(batch)
    infer = f"{base}/v2/models/{name}/infer"

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=open(os.path.join(a.out, "server.log"), "w"), text=True)
    try:
        first = None
        while time.perf_counter() - t0 < 30:
            try:
                if post(infer, single, timeout=2)[0] == 200:
                    first = time.perf_counter() - t0
                    break
            except OSError:
                time.sleep(0.005)
        if first is None:
            raise SystemExit("the server did not answer within 30 s; see " + a.out + "/server.log")
        res = {"start_to_first_answer_s": round(first, 3), "java_opts": a.java_opts, "load_before": a.load}
        if a.idle_before_load > 0:
            time.sleep(a.idle_before_load)
            res["idle_before_load_s"] = a.idle_before_load
            res["peak_rss_before_load_mb"] = round(rss_kb(proc.pid, "VmHWM") / 1024, 1)

        if a.no_pendigits:
            wrk(infer, single_file, 16, 3)
            res["single"] = wrk(infer, single_file, 16, a.seconds)
            res["single_peak_rss_mb"] = round(rss_kb(proc.pid, "VmHWM") / 1024, 1)
            res["batch"] = wrk(infer, batch_file, 2, a.seconds)
            for k in ("single", "batch"):
                res[k].pop("raw")
            res["rss_mb"] = round(rss_kb(proc.pid, "VmRSS") / 1024, 1)
            res["peak_rss_mb"] = round(rss_kb(proc.pid, "VmHWM") / 1024, 1)
            print(json.dumps(res))
            return
        pen = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "pendigits_client.py"), "--url", base,
                              "--data", os.path.join(a.data, "pendigits", "pendigits-train.unipen")] + (["--model", name] if a.model else []),
                             capture_output=True, text=True, check=True)
        res["pendigits"] = json.loads(pen.stdout)

        wrk(infer, single_file, 16, 3)  # warm-up: the JIT compiles the hot paths
        res["single"] = wrk(infer, single_file, 16, a.seconds)
        res["batch"] = wrk(infer, batch_file, 2, a.seconds)
        res["batch"]["images_per_s"] = res["batch"]["rps"] * 256
        res["rss_mb"] = round(rss_kb(proc.pid, "VmRSS") / 1024, 1)
        res["peak_rss_mb"] = round(rss_kb(proc.pid, "VmHWM") / 1024, 1)
        res["load_after"] = open("/proc/loadavg").read().split()[0]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    for k in ("single", "batch"):
        open(os.path.join(a.out, f"wrk-{k}.txt"), "w").write(res[k].pop("raw"))
    json.dump(res, open(os.path.join(a.out, "serving.json"), "w"), indent=1)
    print(json.dumps(res))

    s, b, p = res["single"], res["batch"], res["pendigits"]
    model = "the jar's bundled default model" if a.model is None else f"`{os.path.basename(a.model)}`"
    if a.model_note:
        model += f" ({a.model_note})"
    md = f"""## Serving

`benchmarks/run-serving.sh` on {bench_md.machine()}, {bench_md.jdk()}, {bench_md.today()}; {model};
server flags `{a.java_opts}`; load generator and server share the machine's cores (loopback).
Load average before the run: {a.load or 'not recorded'}; after: {res['load_after']}.

| what | measured | target (issue 5) |
| --- | --- | --- |
| pen-written digits (all {p['total']:,} pendigits trajectories as strokes through `/api/predict`) | {p['correct']:,} of {p['total']:,} correct, {math.floor(10000 * p['accuracy']) / 100:.2f}% (rounded down) | ≥ 97% |
| single-image `/v2/models/{{name}}/infer` (FP32 [1, 1, 28, 28]), wrk, 16 connections, {a.seconds} s | {s['rps']:,.0f} requests/s, p50 {s['p50_ms']:.2f} ms, p99 {s['p99_ms']:.2f} ms, {s['non2xx']} non-2xx, {s['socket_errors']} socket errors | ≥ 5,000 requests/s, p99 < 5 ms, no errors |
| batched inference (UINT8 [256, 784]), wrk, 2 connections, {a.seconds} s | {b['images_per_s']:,.0f} images/s (p99 {b['p99_ms']:.1f} ms per batch, {b['non2xx']} non-2xx) | ≥ 20,000 images/s |
| server start (JVM launch) to first answer of an inference | {res['start_to_first_answer_s']:.2f} s | < 1 s |
| resident memory while serving (after the load; peak) | {res['rss_mb']:.0f} MB; peak {res['peak_rss_mb']:.0f} MB | < 300 MB |

Per-class pendigits accuracy: {', '.join(f"{c}: {100 * v:.1f}%" for c, v in p['per_class'].items())}.
TorchServe's own MNIST benchmark reports 2,346 requests/s with 4 workers (for scale, not a same-machine comparison).
"""
    bench_md.replace_section(a.markdown, "serving", md)


if __name__ == "__main__":
    main()

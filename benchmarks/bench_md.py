"""Shared helpers of the benchmark scripts: machine facts and replacing one section of BENCHMARKS.md."""
import datetime
import os
import platform
import re
import subprocess


def machine():
    model = "unknown CPU"
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and model == "unknown CPU":
                    model = line.split(":", 1)[1].strip()
                if line.startswith("flags") and not flags:
                    flags = line
    except OSError:
        pass
    simd = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
    return f"{model}, {os.cpu_count()} cores, {simd}, {platform.system()} {platform.release()}"


def jdk(java_home=None):
    java = os.path.join(java_home or os.environ.get("JAVA_HOME", ""), "bin", "java")
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr.splitlines()
        return out[1].strip() if len(out) > 1 else out[0].strip()
    except OSError:
        return "unknown JDK"


def today():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def replace_section(path, name, body):
    """Replaces the text between <!-- BEGIN name --> and <!-- END name --> (appends the section if absent)."""
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    block = f"{begin}\n{body.rstrip()}\n{end}\n"
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n\nEvery figure here is measured by a script in `benchmarks/`; rerun it to refresh its section.\n\n"
    if begin in text:
        text = re.sub(re.escape(begin) + ".*?" + re.escape(end) + "\n?", lambda m: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block
    with open(path, "w") as f:
        f.write(text)

#!/usr/bin/env python3
"""The bundled report's full build against a `cp -r` of its output (issue 15's last target).

Each round times `rm -rf OUT && yanbao build --output OUT` and then `rm -rf COPY && cp -r OUT
COPY`, interleaved, so both meet the same state of the disk; prints the medians, ranges and
their ratio. Both write the same files into the same folder (--dir: a temporary folder next to
the repository by default; a tmpfs such as /dev/shm shows the tool's own work without the disk).

    python3 benches/bundled.py --yanbao target/release/yanbao --runs 15 [--dir /dev/shm]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path


def timed(script: str, env=None) -> float:
    start = time.perf_counter()
    subprocess.run(["sh", "-c", script], check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def main() -> None:
    repo = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--yanbao", default=str(repo / "target/release/yanbao"))
    ap.add_argument("--root", default=str(repo), help="the site folder (the bundled report)")
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--dir", default=str(repo / "target"), help="where the outputs go")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="yanbao-bundled-", dir=a.dir))
    out, copy = work / "out", work / "copy"
    build = f"rm -rf '{out}' && '{a.yanbao}' build --root '{a.root}' --output '{out}'"
    timed(build)  # warm-up, the citations kept, and the output the copies copy
    cold = dict(os.environ, YANBAO_CACHE_DIR="")
    builds, colds, copies = [], [], []
    for _ in range(a.runs):
        builds.append(timed(build))
        colds.append(timed(build, cold))
        copies.append(timed(f"rm -rf '{copy}' && cp -r '{out}' '{copy}'"))
    files = sum(1 for p in out.rglob("*") if p.is_file())
    shutil.rmtree(work)
    ms = lambda xs: f"{statistics.median(xs) * 1000:.1f} ms ({min(xs) * 1000:.1f}–{max(xs) * 1000:.1f})"
    ratio = lambda xs: statistics.median(xs) / statistics.median(copies)
    print(f"{a.runs} interleaved runs in {a.dir} ({files} files): build {ms(builds)}, "
          f"ratio {ratio(builds):.1f}; without kept citations {ms(colds)}, ratio "
          f"{ratio(colds):.1f}; cp -r {ms(copies)}")


if __name__ == "__main__":
    main()

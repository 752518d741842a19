#!/usr/bin/env python3
"""Edit-to-reload latency of `yanbao serve` on a generated site (issue 15: < 100 ms at N=1000).

Usage: preview_latency.py --yanbao BIN --root SITE [--edits 10] [--chapter content/zh/ch00500.md]
                          [--port P] [--log FILE]

Starts `BIN serve --root SITE --port P`, waits for its first build, opens the server-sent events
stream at /__yanbao/events, then EDITS times: appends one sentence (with a unique marker) to the
chapter file and times, from just before the write,
  - until the stream sends `event: reload`;
  - until GET of the chapter's page returns the new sentence.
Prints a Markdown table (min / median / max) and the serve process's peak RSS (VmHWM from
/proc/PID/status) after the first build and after the edits. The chapter file is restored and the
server stopped at the end. Python 3.11 standard library only; talks to 127.0.0.1 only.
"""
import argparse
import os
import queue
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vm(pid, key):
    """VmHWM / VmRSS of a process in MiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def get(port, path, timeout=30):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while True:
            b = s.recv(1 << 16)
            if not b:
                break
            chunks.append(b)
    return b"".join(chunks)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--yanbao", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--edits", type=int, default=10)
    ap.add_argument("--chapter", default=None, help="file to edit, relative to ROOT "
                    "(default: the middle zh chapter)")
    ap.add_argument("--port", type=int, default=0, help="0: a free port")
    ap.add_argument("--pause", type=float, default=0.5, help="seconds between edits")
    ap.add_argument("--timeout", type=float, default=120, help="first build / one edit, seconds")
    ap.add_argument("--log", default=None, help="serve's stdout+stderr (default: discarded)")
    a = ap.parse_args()

    root = os.path.abspath(a.root)
    if a.chapter is None:
        zh = sorted(f for f in os.listdir(os.path.join(root, "content", "zh")) if re.fullmatch(r"ch\d+\.md", f))
        a.chapter = os.path.join("content", "zh", zh[len(zh) // 2])
    chapter = os.path.join(root, a.chapter)
    url = "/" + os.path.relpath(chapter, os.path.join(root, "content"))[: -len(".md")] + "/"
    original = open(chapter, "rb").read()

    port = a.port or free_port()
    log = open(a.log, "wb") if a.log else subprocess.DEVNULL
    t_start = time.monotonic()
    srv = subprocess.Popen([a.yanbao, "serve", "--root", root, "--port", str(port)],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        # serve prints "Serving ROOT at http://127.0.0.1:PORT/" once the first build is done.
        deadline = time.monotonic() + a.timeout
        while True:
            line = srv.stdout.readline()
            if not line:
                sys.exit(f"serve exited ({srv.wait()}) before serving; see {a.log or 'its output'}")
            if log is not subprocess.DEVNULL:
                log.write(line)
            m = re.search(rb"http://127\.0\.0\.1:(\d+)/", line)
            if m:
                port = int(m.group(1))
                break
            if time.monotonic() > deadline:
                sys.exit("serve did not start in time")
        first_build = time.monotonic() - t_start
        # Keep draining serve's output so it never blocks on a full pipe.
        def drain():
            for line in srv.stdout:
                if log is not subprocess.DEVNULL:
                    log.write(line)
                    log.flush()
        threading.Thread(target=drain, daemon=True).start()
        hwm_start = vm(srv.pid, "VmHWM")

        # The event stream, read by a thread that stamps each line on arrival.
        ev = socket.create_connection(("127.0.0.1", port), timeout=a.timeout)
        ev.sendall(b"GET /__yanbao/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        lines = queue.Queue()

        def read_events():
            f = ev.makefile("rb")
            for raw in f:
                lines.put((time.monotonic(), raw.decode("utf-8", "replace").rstrip("\r\n")))
            lines.put((time.monotonic(), None))
        threading.Thread(target=read_events, daemon=True).start()
        while True:
            _, line = lines.get(timeout=a.timeout)
            if line is None:
                sys.exit("event stream closed before ': connected'")
            if line == ": connected":
                break

        reload_ms, served_ms, problems = [], [], 0
        for i in range(a.edits):
            time.sleep(a.pause)
            while not lines.empty():  # drop pings and anything left from before
                lines.get_nowait()
            marker = f"latency-marker-{i}-{os.getpid()}"
            t0 = time.monotonic()
            with open(chapter, "a", encoding="utf-8") as f:
                f.write(f"\n\n本句用于测量预览延迟 {marker}。\n")
            while True:
                t, line = lines.get(timeout=a.timeout)
                if line is None:
                    sys.exit("event stream closed")
                if line.startswith("event: problem"):
                    problems += 1
                if line.startswith("event: reload"):
                    break
            reload_ms.append((t - t0) * 1000)
            while marker.encode() not in get(port, url):
                if time.monotonic() - t0 > a.timeout:
                    sys.exit(f"{url} never showed the edit")
                time.sleep(0.002)
            served_ms.append((time.monotonic() - t0) * 1000)
        hwm_end, rss_end = vm(srv.pid, "VmHWM"), vm(srv.pid, "VmRSS")
        ev.close()
    finally:
        with open(chapter, "wb") as f:
            f.write(original)
        if srv.poll() is None:
            srv.send_signal(signal.SIGINT)
            try:
                srv.wait(10)
            except subprocess.TimeoutExpired:
                srv.kill()
                srv.wait()

    out = subprocess.run([a.yanbao, "--version"], capture_output=True, text=True).stdout.split()
    version = out[1] if len(out) > 1 else "?"
    row = lambda name, xs: print(f"| {name} | {len(xs)} | {min(xs):.0f} | {statistics.median(xs):.0f} | {max(xs):.0f} |")
    print(f"Preview: yanbao {version} serve, {root}, editing {a.chapter} ({url}); first build "
          f"{first_build:.2f} s")
    print()
    print("| measure | edits | min ms | median ms | max ms |")
    print("|---|---|---|---|---|")
    row("write → `event: reload`", reload_ms)
    row("write → page with the new sentence fetched", served_ms)
    print()
    print(f"serve peak RSS (VmHWM): {hwm_start:.0f} MiB after the first build, {hwm_end:.0f} MiB after "
          f"{a.edits} edits (VmRSS then {rss_end:.0f} MiB)" + (f"; {problems} problem events" if problems else ""))


if __name__ == "__main__":
    main()

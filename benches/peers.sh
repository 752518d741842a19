#!/usr/bin/env bash
# Full-build benchmark of yanbao against Hugo and Zola (and mdBook if asked) on the shared synthetic
# bilingual corpus (issue 15, point 5), in one command:
#
#   benches/peers.sh                                  # SIZES="1000 5000 20000", RUNS=3
#   SIZES="1000 5000" RUNS=5 PREVIEW=1 benches/peers.sh
#   YANBAO=/path/to/yanbao HUGO=/opt/hugo ZOLA=/opt/zola benches/peers.sh
#
# Rules, the same for every tool:
# - one INTERLEAVED run: for each N, every tool is built once untimed (must succeed; also the
#   warm-up); then each repetition builds every N with every tool in turn, so machine noise, and
#   a machine that slows down during the run, hits all tools and all sizes alike (INTERLEAVE_SIZES=0:
#   all repetitions of one N before the next N is generated, holding one corpus at a time);
# - every timed run deletes the previous output first (`rm -rf OUT && build`), inside the timing;
#   each tool has one output folder per N, so what is deleted is always a site of the same size;
# - wall time and peak RSS of the largest process come from the shared timer (timeit.py, wait4);
#   the table shows medians; output size is the bytes of the files the build wrote (file_bytes).
# - yanbao runs with every feature on (search index, downloads, sitemap and canonical links via
#   --base-url); Hugo and Zola with minimal templates and their search/feeds/sitemap off, as
#   gen_corpus.py configures them. `yanbao check` is timed in the same rotation (it writes nothing).
# - a floor, with Zola: `cp -r` of Zola's own output (`rm -rf OUT && cp -r`, timed in the same
#   rotation) is what writing those files costs on this disk with no generator work at all. The
#   ratios table sets it against Zola's build: no tool writing as many files can take less.
#
# Disk guard: every N's corpus and outputs are kept until the end (INTERLEAVE_SIZES=1), about
# 3.5 GB for the default sizes. Before yanbao builds at N, its output is estimated from the two previous sizes
# (exponent fitted between them, clamped to [1, 2], plus 25%: two small probe builds give the first
# two points). A size whose estimate does not fit in the free space minus DISK_MARGIN_GB is
# skipped with a "skipped: estimated X GB output" line; its `check` still runs.
#
# Env: SIZES, RUNS (3), TOOLS ("yanbao hugo zola"; add mdbook to time it too; "check" instead of
#      "yanbao" times only `yanbao check`), CHECK (1: time `yanbao check` along with yanbao),
#      FLOOR (1: with Zola, time `cp -r` of its output), INTERLEAVE_SIZES (1),
#      PREVIEW (0; 1 = also run preview_latency.py at PREVIEW_N=1000 with PREVIEW_EDITS=10),
#      YANBAO (default: `cargo build --release` of this repo), HUGO, ZOLA, MDBOOK (default: PATH),
#      BASE_URL (https://example.org/), WORK (/tmp/yanbao-peers), DISK_MARGIN_GB (5),
#      BENCH_DIR (../shared/bench: gen_corpus.py, timeit.py), TIMER (BENCH_DIR/timeit.py).
# Output: Markdown tables on stdout, also in $WORK/report.md; every run in $WORK/runs.tsv; logs of
#         each build and timed run in $WORK/logs. REPORT_ONLY=1 re-prints the tables of the run
#         in $WORK (also of an interrupted one, from the runs done so far).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
BENCH_DIR="${BENCH_DIR:-$REPO/../shared/bench}"
SIZES="${SIZES:-1000 5000 20000}"; RUNS="${RUNS:-3}"
TOOLS="${TOOLS:-yanbao hugo zola}"; CHECK="${CHECK:-1}"; FLOOR="${FLOOR:-1}"
INTERLEAVE_SIZES="${INTERLEAVE_SIZES:-1}"; PREVIEW="${PREVIEW:-0}"; PREVIEW_N="${PREVIEW_N:-1000}"; PREVIEW_EDITS="${PREVIEW_EDITS:-10}"
BASE_URL="${BASE_URL:-https://example.org/}"
WORK="${WORK:-/tmp/yanbao-peers}"; DISK_MARGIN_GB="${DISK_MARGIN_GB:-5}"
TIMER="${TIMER:-python3 $BENCH_DIR/timeit.py}"
[ -f "$BENCH_DIR/gen_corpus.py" ] || { echo "no gen_corpus.py in $BENCH_DIR (set BENCH_DIR)" >&2; exit 1; }

NOTES="$WORK/notes.txt"

# Markdown tables from $WORK/runs.tsv, outputs.tsv, versions.tsv and notes.txt.
tables() {
python3 - "$WORK" "$SIZES" "$NOTES" <<'EOF'
import collections, statistics, sys
work, sizes, notes = sys.argv[1], [int(s) for s in sys.argv[2].split()], sys.argv[3]
rows = lambda f: [l.rstrip("\n").split("\t") for l in open(f"{work}/{f}")][1:]
versions = dict(l.rstrip("\n").split("\t") for l in open(f"{work}/versions.tsv"))
runs = collections.defaultdict(list)
for t, n, _, w, p in rows("runs.tsv"):
    runs[t, int(n)].append((float(w), float(p)))
outs = {(t, int(n)): (pg, b) for t, n, pg, b in rows("outputs.tsv")}
med = {k: (statistics.median(w for w, _ in v), statistics.median(p for _, p in v)) for k, v in runs.items()}
tools = list(versions)
skipped = {l.split()[1].split("=")[1].rstrip(":") for l in open(notes) if " skipped: " in l}
name = lambda t: {"check": "yanbao check", "copy": "cp -r of Zola's output"}.get(t, t)

print("| tool | version | N/lang | pages (.html) | median wall s | median peak RSS MiB | output MiB |")
print("|---|---|---|---|---|---|---|")
for n in sizes:
    for t in tools:
        if (t, n) in med:
            pg, b = outs.get((t, n), ("", ""))
            w, p = med[t, n]
            size = f"{int(b) / 2**20:,.0f}" if b else "—"
            print(f"| {name(t)} | {versions[t]} | {n} | {pg or '—'} | {w:.2f} | {p:.0f} | {size} |")
        elif t == "yanbao" and str(n) in skipped:
            print(f"| yanbao | {versions[t]} | {n} | — | skipped (disk) | — | — |")

def ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "—"
get = lambda t, n, i: med[t, n][i] if (t, n) in med else None
size = lambda t, n: int(outs[t, n][1]) if outs.get((t, n), ("", ""))[1] else None
if "yanbao" in tools and ("hugo" in tools or "zola" in tools):
    print()
    print("| N/lang | wall yanbao/Hugo | wall yanbao/Zola | wall yanbao/min(Hugo,Zola) | RSS yanbao/Hugo | RSS yanbao/Zola | output yanbao/Hugo | output yanbao/Zola | floor: cp -r of Zola's output/Zola |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        y, h, z = (get(t, n, 0) for t in ("yanbao", "hugo", "zola"))
        fastest = min((x for x in (h, z) if x is not None), default=None)
        print(f"| {n} | {ratio(y, h)} | {ratio(y, z)} | {ratio(y, fastest)} | "
              f"{ratio(get('yanbao', n, 1), get('hugo', n, 1))} | {ratio(get('yanbao', n, 1), get('zola', n, 1))} | "
              f"{ratio(size('yanbao', n), size('hugo', n))} | {ratio(size('yanbao', n), size('zola', n))} | "
              f"{ratio(get('copy', n, 0), z)} |")
if len(sizes) > 1:
    pairs = list(zip(sizes, sizes[1:]))
    print()
    print("| tool | " + " | ".join(f"t({b})/t({a}) (linear: {b / a:g})" for a, b in pairs) + " |")
    print("|---|" + "---|" * len(pairs))
    for t in tools:
        print(f"| {name(t)} | " + " | ".join(ratio(get(t, b, 0), get(t, a, 0)) for a, b in pairs) + " |")
EOF
echo; sed 's/^/- /' "$NOTES"
}
if [ "${REPORT_ONLY:-0}" = 1 ]; then tables; exit; fi  # re-print the tables of an earlier (or interrupted) run

rm -rf "$WORK/logs" "$WORK/out"
mkdir -p "$WORK/logs" "$WORK/out"
LOGS="$WORK/logs"; OUT="$WORK/out"; : > "$NOTES"
note() { echo "$*" | tee -a "$NOTES" >&2; }

# --- binaries -------------------------------------------------------------------------------------
active=""
for t in $TOOLS; do
  case "$t" in
    yanbao|check)  # "check" alone times `yanbao check` without `yanbao build`
      if [ -z "${YANBAO:-}" ]; then
        cargo build --release --manifest-path "$REPO/Cargo.toml" -q
        YANBAO="${CARGO_TARGET_DIR:-$REPO/target}/release/yanbao"
      fi
      active="$active $t"; if [ "$t" = yanbao ] && [ "$CHECK" = 1 ]; then active="$active check"; fi ;;
    hugo)   HUGO="${HUGO:-$(command -v hugo || true)}" ;;
    zola)   ZOLA="${ZOLA:-$(command -v zola || true)}" ;;
    copy)   ;;  # added after zola when FLOOR=1
    mdbook) MDBOOK="${MDBOOK:-$(command -v mdbook || true)}" ;;
    *) echo "unknown tool $t" >&2; exit 1 ;;
  esac
  case "$t" in hugo|zola|mdbook)
    var="${t^^}"
    if [ -n "${!var}" ] && [ -x "${!var}" ]; then active="$active $t"; else note "$t: not installed (PATH or $var), left out"; fi ;;
  esac
  if [ "$t" = zola ] && [ "$FLOOR" = 1 ] && [ -n "$ZOLA" ]; then active="$active copy"; fi
done

version() {
  case "$1" in
    yanbao|check) "$YANBAO" --version | awk '{print $2}' ;;
    hugo)   "$HUGO" version | sed -E 's/^hugo v([0-9.]+)[^+ ]*(\+extended)?.*/\1\2/' ;;
    zola)   "$ZOLA" --version | awk '{print $2}' ;;
    mdbook) "$MDBOOK" --version | awk '{print $2}' | sed 's/^v//' ;;
    copy)   cp --version | head -1 | awk '{print $NF}' ;;
  esac
}
: > "$WORK/versions.tsv"
for t in $active; do printf '%s\t%s\n' "$t" "$(version "$t")" >> "$WORK/versions.tsv"; done

build_cmd() {  # $1 tool, $2 N -> a sh -c script (rm of the previous output inside the timing)
  local c="$WORK/corpus-$2"
  case "$1" in
    yanbao) echo "rm -rf '$OUT/yanbao-$2' && exec '$YANBAO' build --root '$WORK/site-$2' --output '$OUT/yanbao-$2' --base-url '$BASE_URL'" ;;
    check)  echo "exec '$YANBAO' check --root '$WORK/site-$2' --base-url '$BASE_URL'" ;;
    hugo)   echo "rm -rf '$OUT/hugo-$2' && exec '$HUGO' --quiet -s '$c/hugo' -d '$OUT/hugo-$2'" ;;
    zola)   echo "rm -rf '$OUT/zola-$2' && cd '$c/zola' && exec '$ZOLA' build -o '$OUT/zola-$2'" ;;
    mdbook) echo "rm -rf '$OUT/mdbook-$2' && '$MDBOOK' build '$c/mdbook/zh' -d '$OUT/mdbook-$2/zh' && exec '$MDBOOK' build '$c/mdbook/en' -d '$OUT/mdbook-$2/en'" ;;
    copy)   echo "rm -rf '$OUT/copy-$2' && exec cp -r '$WORK/copy-src-$2' '$OUT/copy-$2'" ;;
  esac
}

# A corpus of N chapters per language in the layouts the active tools need; yanbao's site is
# converted from the mdBook layout.
make_corpus() {  # $1 N
  local n="$1" layouts="" tool
  for tool in $active; do
    case "$tool" in hugo|zola) layouts="$layouts,$tool" ;; yanbao|check|mdbook) layouts="$layouts,mdbook" ;; esac
  done
  layouts="$(echo "${layouts#,}" | tr ',' '\n' | sort -u | paste -sd,)"
  rm -rf "$WORK/corpus-$n" "$WORK/site-$n"
  python3 "$BENCH_DIR/gen_corpus.py" "$n" "$WORK/corpus-$n" --tools "$layouts" > /dev/null
  case " $active " in *" yanbao "*|*" check "*)
    python3 "$HERE/corpus_to_yanbao.py" "$WORK/corpus-$n/mdbook" "$WORK/site-$n" ;;
  esac
}

# --- disk guard -----------------------------------------------------------------------------------
SIZES_SEEN="$WORK/yanbao-output-sizes.tsv"; : > "$SIZES_SEEN"   # N \t bytes of yanbao's output
estimate_bytes() {  # $1 N -> estimated bytes of yanbao's output, from the last two known sizes
  python3 - "$1" "$SIZES_SEEN" <<'EOF'
import math, sys
n = int(sys.argv[1])
pts = sorted({int(a): int(b) for a, b in (l.split() for l in open(sys.argv[2]) if l.strip())}.items())
(n1, s1), (n2, s2) = pts[-2], pts[-1]
p = min(2.0, max(1.0, math.log(s2 / s1) / math.log(n2 / n1)))
print(int(s2 * (n / n2) ** p * 1.25))
EOF
}
free_bytes() { df -B1 --output=avail "$WORK" | tail -1 | tr -d ' '; }
# The bytes of the files in a folder: what a host stores and serves. Not `du -sb`, which adds each
# directory's own size, and that is the file system's: 4 KiB or more per directory on ext4, a few
# bytes per entry on a tmpfs. With a folder per page on both sides, ext4's 40 MB of directories at
# N=5000 brought yanbao/Hugo from 2.44 down to 1.91.
file_bytes() { find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%d\n", s }'; }
gb() { awk -v b="$1" 'BEGIN{printf "%.1f", b/1e9}'; }
yanbao_fits() {  # $1 N; 0 if the estimated output fits
  local n="$1" est free margin p
  est="$(estimate_bytes "$n")"; free="$(free_bytes)"; margin=$((DISK_MARGIN_GB * 1000000000))
  if [ "$est" -gt $((free - margin)) ]; then
    note "yanbao N=$n: skipped: estimated $(gb "$est") GB output ($(gb "$free") GB free, margin $DISK_MARGIN_GB GB)"
    return 1
  fi
}

# What the outputs are written to, in the notes: the file system decides much of what a build of
# thousands of files costs. ext4 without a journal is singled out. On each file or folder it
# creates, its inode allocator steps over every inode of the block group freed in the last minute
# (six while the inode's table block is unwritten), one at a time (fs/ext4/ialloc.c,
# recently_deleted). Every timed run first deletes the previous output, so each build pays for
# the files deleted before it: times grow faster than N, and the ratios between tools move
# towards 1.
fs_note() {
  local src type dev
  read -r src type < <(findmnt -n -o SOURCE,FSTYPE --target "$OUT" 2>/dev/null || echo "? ?")
  dev="$(basename "$src")"
  case "$type" in
    ext4)
      if ls /proc/fs/jbd2 2>/dev/null | grep -q "^$dev-"; then
        note "output folder: ext4 with a journal ($src)"
      else
        note "output folder: ext4 WITHOUT a journal ($src): each file or folder a build creates steps over the inodes deleted in the last minutes, one at a time (the kernel's recently_deleted check), so these times include a cost that grows with the files deleted before each run; WORK on a journaled file system or a tmpfs measures the tools without it (README, Performance)"
      fi ;;
    *) note "output folder: $type ($src)" ;;
  esac
}
fs_note

# --- the interleaved run --------------------------------------------------------------------------
printf 'tool\tN\trun\twall_s\tpeak_MiB\n' > "$WORK/runs.tsv"
printf 'tool\tN\tpages\toutput_bytes\n' > "$WORK/outputs.tsv"
echo "tools:$active; SIZES=\"$SIZES\" RUNS=$RUNS; logs in $LOGS" >&2
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
probe() {  # two small builds give the disk guard its first two points (before any N is made:
  # they use, and delete, the corpora of N=100 and 300)
  local p
  for p in 100 300; do
    make_corpus "$p" >/dev/null
    "$YANBAO" build --root "$WORK/site-$p" --output "$OUT/probe" --base-url "$BASE_URL" > "$LOGS/yanbao-probe-$p.log" 2>&1
    printf '%s\t%s\n' "$p" "$(du -sb "$OUT/probe" | cut -f1)" >> "$SIZES_SEEN"
    rm -rf "$OUT/probe" "$WORK/corpus-$p" "$WORK/site-$p"
  done
}
case " $active " in *" yanbao "*) probe ;; esac

declare -A HERE  # N -> the tools whose untimed build succeeded
prepare() {  # $1 N: the corpus, and every tool's untimed build (must succeed; warms the caches)
  local n="$1" t here=""
  echo "== N=$n: generating the corpus" >&2
  make_corpus "$n"
  for t in $active; do
    if [ "$t" = yanbao ] && ! yanbao_fits "$n"; then continue; fi
    if [ "$t" = copy ]; then  # what is copied: Zola's output of this N
      [ -d "$OUT/zola-$n" ] || continue
      rm -rf "$WORK/copy-src-$n" && cp -r "$OUT/zola-$n" "$WORK/copy-src-$n"
    fi
    if ! sh -c "$(build_cmd "$t" "$n")" > "$LOGS/$t-$n.build.log" 2>&1; then
      note "$t N=$n: build failed, left out (see $LOGS/$t-$n.build.log)"; continue
    fi
    here="$here $t"
    case "$t" in
      check) printf '%s\t%s\t\t\n' "$t" "$n" >> "$WORK/outputs.tsv" ;;
      *) printf '%s\t%s\t%s\t%s\n' "$t" "$n" "$(find "$OUT/$t-$n" -name '*.html' | wc -l)" "$(file_bytes "$OUT/$t-$n")" >> "$WORK/outputs.tsv"
         [ "$t" = yanbao ] && printf '%s\t%s\n' "$n" "$(du -sb "$OUT/$t-$n" | cut -f1)" >> "$SIZES_SEEN" ;;
    esac
  done
  HERE[$n]="$here"
}
timed_runs() {  # $1 N, $2 repetition: each tool once, in turn
  local n="$1" r="$2" t log wall peak
  for t in ${HERE[$n]}; do
    log="$LOGS/$t-$n-r$r.timing"
    $TIMER -n 1 --warmup 0 -- sh -c "$(build_cmd "$t" "$n")" > "$log" 2>&1 || true
    if grep -q '^A exit' "$log"; then note "$t N=$n run $r failed (see $log)"; continue; fi
    wall="$(awk '/^A wall s/ {print $(NF-1)}' "$log")"; peak="$(awk '/^A peak MiB/ {print $(NF-1)}' "$log")"
    printf '%s\t%s\t%s\t%s\t%s\n' "$t" "$n" "$r" "$wall" "$peak" | tee -a "$WORK/runs.tsv" >&2
  done
}
clean() { rm -rf "$WORK/corpus-$1" "$WORK/site-$1" "$WORK/copy-src-$1" "$OUT"/*-"$1"; }  # disk use bounded
if [ "$INTERLEAVE_SIZES" = 1 ]; then
  # Every size's corpus first; then each repetition builds every size with every tool, so a
  # machine that slows down (or speeds up) during the run shifts all sizes alike and the
  # scaling ratios t(20000)/t(5000) compare builds made at the same time.
  for n in $SIZES; do prepare "$n"; done
  for r in $(seq 1 "$RUNS"); do for n in $SIZES; do timed_runs "$n" "$r"; done; done
  for n in $SIZES; do clean "$n"; done
else
  for n in $SIZES; do
    prepare "$n"
    for r in $(seq 1 "$RUNS"); do timed_runs "$n" "$r"; done
    clean "$n"
  done
fi

{
echo "machine: $(nproc) cores; load average $LOAD_BEFORE before, $(cut -d' ' -f1-3 /proc/loadavg) after (other work on the machine skews absolute times; the interleaved ratios less so)" >> "$NOTES"
tables
if [ "$PREVIEW" = 1 ]; then
  if [ -n "${YANBAO:-}" ]; then
    echo "== preview at N=$PREVIEW_N" >&2
    make_corpus "$PREVIEW_N" >/dev/null
    echo
    python3 "$HERE/preview_latency.py" --yanbao "$YANBAO" --root "$WORK/site-$PREVIEW_N" \
      --edits "$PREVIEW_EDITS" --log "$LOGS/preview-serve.log"
    rm -rf "$WORK/corpus-$PREVIEW_N" "$WORK/site-$PREVIEW_N"
  else
    echo; echo "preview: yanbao not in TOOLS"
  fi
fi
} | tee "$WORK/report.md"

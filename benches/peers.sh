#!/usr/bin/env bash
# Times full builds of yanbao and its peers (Hugo, Zola, mdBook) on the same synthetic bilingual
# corpus, in one run, with the same timer and the same rule: every timed run deletes the previous
# output first. Peers that are not installed are left out (the table says which ran).
#
#   benches/peers.sh                      # SIZES="100 1000", RUNS=5
#   SIZES="100 1000 5000" RUNS=3 benches/peers.sh
#
# Needs ../shared/bench (gen_corpus.py, run_peers.sh, timeit.py) or BENCH_DIR pointing at it.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
BENCH_DIR="${BENCH_DIR:-$REPO/../shared/bench}"
SIZES="${SIZES:-100 1000}"; RUNS="${RUNS:-5}"; WARMUP="${WARMUP:-1}"
WORK="${WORK:-/tmp/yanbao-peers}"
mkdir -p "$WORK"
cargo build --release --manifest-path "$REPO/Cargo.toml" -q
YANBAO="$REPO/target/release/yanbao"
TIMER="python3 $BENCH_DIR/timeit.py"

printf 'tool\tversion\tN\tpages\twall_s\tpeak_MiB\tpages_per_s\n' > "$WORK/yanbao.tsv"
for n in $SIZES; do
  corpus="$WORK/corpus-$n"
  rm -rf "$corpus" "$WORK/site-$n"
  python3 "$BENCH_DIR/gen_corpus.py" "$n" "$corpus" --tools mdbook >/dev/null
  python3 "$HERE/corpus_to_yanbao.py" "$corpus/mdbook" "$WORK/site-$n"
  out="$WORK/out-yanbao"
  script="rm -rf '$out' && exec '$YANBAO' build --root '$WORK/site-$n' --output '$out'"
  sh -c "$script" >/dev/null
  $TIMER -n "$RUNS" --warmup "$WARMUP" -- sh -c "$script" > "$WORK/yanbao-$n.timing" 2>&1
  pages=$(find "$out" -name '*.html' | wc -l)
  wall=$(awk '$0 ~ "^A wall s" {print $(NF-1)}' "$WORK/yanbao-$n.timing")
  peak=$(awk '$0 ~ "^A peak MiB" {print $(NF-1)}' "$WORK/yanbao-$n.timing")
  pps=$(awk -v p="$pages" -v w="$wall" 'BEGIN{printf "%.0f", p/w}')
  printf 'yanbao\t%s\t%s\t%s\t%s\t%s\t%s\n' "$("$YANBAO" --version | awk '{print $2}')" "$n" "$pages" "$wall" "$peak" "$pps" | tee -a "$WORK/yanbao.tsv"
  rm -rf "$corpus" "$WORK/site-$n" "$out"
done

tools=""
for t in hugo zola mdbook; do command -v "$t" >/dev/null 2>&1 && tools="$tools $t"; done
if [ -n "$tools" ]; then
  SIZES="$SIZES" RUNS="$RUNS" WARMUP="$WARMUP" WORK="$WORK/peers" TOOLS="$tools" bash "$BENCH_DIR/run_peers.sh" >/dev/null
fi
echo
echo "| tool | version | N/lang | pages (.html) | median wall s | median peak RSS MiB | pages/s |"
echo "|---|---|---|---|---|---|---|"
{ tail -n +2 "$WORK/yanbao.tsv"; [ -f "$WORK/peers/results.tsv" ] && tail -n +2 "$WORK/peers/results.tsv"; } \
  | sort -t$'\t' -k3,3n -k1,1 | awk -F'\t' '{printf "| %s | %s | %s | %s | %s | %s | %s |\n",$1,$2,$3,$4,$5,$6,$7}'

#!/usr/bin/env bash
# Start-up on a large lifecycle database: 250,000 creators x 4 platforms = 1,000,000
# connections with their planned checks (bench/lifecycle_bench.cpp seed-only). For each of RUNS
# starts: the time from exec to /readyz answering 200, RSS at READY, and RSS and time once the
# after-READY sweep (lifecycle_checks_planned) has looked at every connection. Prints a markdown
# table for docs/BENCHMARKS.md.
#
# Environment: RUNS [5], CONNECTIONS [1000000], SKIP_BUILD [0], ROSTERD, BENCH (binaries).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNS="${RUNS:-5}"
CONNECTIONS="${CONNECTIONS:-1000000}"
SKIP_BUILD="${SKIP_BUILD:-0}"
ROSTERD="${ROSTERD:-$ROOT/build/release/daemon/rosterd}"
BENCH="${BENCH:-$ROOT/build/release/bench/bench_lifecycle}"

log() { printf '[lifecycle_ready] %s\n' "$*" >&2; }
die() { printf '[lifecycle_ready] error: %s\n' "$*" >&2; exit 1; }
command -v curl >/dev/null 2>&1 || die "curl is needed (apt-get install curl)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/rosterd-lifecycle-ready.XXXXXX")"
PID=""
cleanup() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
    kill -KILL "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [[ "$SKIP_BUILD" != 1 ]]; then
  log "building rosterd and bench_lifecycle (release preset)"
  (cd "$ROOT" && { [[ -f build/release/CMakeCache.txt ]] || cmake --preset release; } &&
    cmake --build --preset release --target rosterd bench_lifecycle) >"$WORK/build.log" 2>&1 ||
    { tail -n 40 "$WORK/build.log" >&2; die "release build failed"; }
fi

mkdir -p "$WORK/state"
log "seeding $CONNECTIONS connections"
"$BENCH" "$WORK/seed.db" 1 "$CONNECTIONS" seed-only 2>&1 | sed 's/^/[seed] /' >&2

port="$((20000 + RANDOM % 40000))"
cat >"$WORK/rosterd.toml" <<TOML
[server]
listen = ["127.0.0.1:$port"]
public_url = "http://127.0.0.1:$port"
workers = 2

[store]
path = "state/rosterd.db"

[mail]
smtp_url = "smtp://127.0.0.1:9"
tls = "none"

[log]
level = "info"
TOML

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
ready_ms=() ready_rss=() swept_s=() swept_rss=()
for run in $(seq "$RUNS"); do
  # Each start on the database as seeded: the same work every run.
  cp "$WORK/seed.db" "$WORK/state/rosterd.db"
  rm -f "$WORK/state/rosterd.db-wal" "$WORK/state/rosterd.db-shm"
  start=$(date +%s%N)
  "$ROSTERD" --config "$WORK/rosterd.toml" >"$WORK/rosterd.log" 2>&1 &
  PID=$!
  until curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/readyz" 2>/dev/null; do
    kill -0 "$PID" 2>/dev/null || { cat "$WORK/rosterd.log" >&2; die "rosterd exited"; }
    sleep 0.01
  done
  ready_ms+=("$(( ($(date +%s%N) - start) / 1000000 ))")
  ready_rss+=("$(rss_kb "$PID")")
  # The sweep logs when it has looked at every connection (at most 300 s).
  for _ in $(seq 3000); do
    grep -q "lifecycle_sweep_done" "$WORK/rosterd.log" && break
    sleep 0.1
  done
  swept=$(date +%s%N)
  swept_s+=("$(awk -v a="$start" -v b="$swept" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')")
  swept_rss+=("$(rss_kb "$PID")")
  kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  log "run $run: READY ${ready_ms[-1]} ms, RSS ${ready_rss[-1]} kB"
done

median() { tr ' ' '\n' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo "connections: $CONNECTIONS, runs: $RUNS, load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| time to READY | $(echo "${ready_ms[*]}" | median) ms (${ready_ms[*]}) |"
echo "| RSS at READY | $(( $(echo "${ready_rss[*]}" | median | cut -d. -f1) / 1024 )) MiB |"
echo "| start-up sweep done (after exec) | $(echo "${swept_s[*]}" | median) s (${swept_s[*]}) |"
echo "| RSS after the start-up sweep | $(( $(echo "${swept_rss[*]}" | median | cut -d. -f1) / 1024 )) MiB |"

#!/usr/bin/env bash
# HTTP load benchmark: rosterd /healthz, rosterd /readyz (one SQLite read per request) and the
# bare Beast server (bench/minimal_beast_server.cpp, the upper bound), each driven by wrk.
# Prints a markdown table (median req/s and median p99 across runs) ready for
# docs/BENCHMARKS.md. See bench/README.md.
#
# Environment (defaults in brackets):
#   RUNS [5]           measured wrk runs per target
#   DURATION [10s]     length of each measured run (wrk -d syntax: 10s, 1m)
#   WARMUP [2s]        unmeasured wrk run before each target's runs; 0 skips it
#   WRK_THREADS [2]    wrk -t
#   CONNECTIONS [32]   wrk -c
#   WORKERS [2]        rosterd [server] workers and the minimal server's --threads
#   SKIP_BUILD [0]     1: use the existing build/release binaries as they are
#
# Progress goes to stderr, the report to stdout: `bench/http_load.sh > result.md` works.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNS="${RUNS:-5}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
WRK_THREADS="${WRK_THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
WORKERS="${WORKERS:-2}"
SKIP_BUILD="${SKIP_BUILD:-0}"

ROSTERD="$ROOT/build/release/daemon/rosterd"
MINIMAL="$ROOT/build/release/bench/bench_minimal_beast_server"

log() { printf '[http_load] %s\n' "$*" >&2; }
die() { printf '[http_load] error: %s\n' "$*" >&2; exit 1; }

[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer (got '$RUNS')"

# --- tools -------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "wrk is missing; installing the Debian package 'wrk' (running as root)"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
  else
    die "wrk is not installed. Install it with: sudo apt-get install wrk"
  fi
fi
command -v curl >/dev/null 2>&1 || die "curl is needed to wait for the servers (apt-get install curl)"

# --- scratch dir and cleanup -------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/rosterd-http-load.XXXXXX")"
SERVER_PID=""

stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
cleanup() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- build -------------------------------------------------------------------------------------
if [[ "$SKIP_BUILD" != 1 ]]; then
  log "building rosterd and bench_minimal_beast_server (release preset; log: only on failure)"
  if ! (cd "$ROOT" &&
        { [[ -f build/release/CMakeCache.txt ]] || cmake --preset release; } &&
        cmake --build --preset release --target rosterd bench_minimal_beast_server) \
       >"$WORK/build.log" 2>&1; then
    tail -n 40 "$WORK/build.log" >&2
    die "release build failed (last 40 lines of the build log above)"
  fi
fi
[[ -x "$ROSTERD" ]] || die "$ROSTERD is missing (build it or unset SKIP_BUILD)"
[[ -x "$MINIMAL" ]] || die "$MINIMAL is missing (build it or unset SKIP_BUILD)"

# --- servers -----------------------------------------------------------------------------------

port_in_use() {
  if command -v ss >/dev/null 2>&1; then
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}
free_port() {
  local port
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 40000))
    if ! port_in_use "$port"; then
      echo "$port"
      return 0
    fi
  done
  die "no free loopback port found"
}

# wait_until_up URL LOGFILE: polls until the server answers 2xx (or dies / 15 s pass).
wait_until_up() {
  for _ in $(seq 150); do
    if curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null; then
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$2" >&2; die "server exited before answering $1"; }
    sleep 0.1
  done
  cat "$2" >&2
  die "server did not answer $1 within 15 s"
}

start_rosterd() {
  local port dir="$WORK/rosterd"
  port="$(free_port)"
  mkdir -p "$dir/state"
  cat >"$dir/rosterd.toml" <<TOML
[server]
listen = ["127.0.0.1:$port"]
workers = $WORKERS

[store]
path = "state/rosterd.db"   # relative to this file's directory

[log]
level = "warn"
TOML
  "$ROSTERD" --config "$dir/rosterd.toml" >"$WORK/rosterd.log" 2>&1 &
  SERVER_PID=$!
  BASE_URL="http://127.0.0.1:$port"
  wait_until_up "$BASE_URL/readyz" "$WORK/rosterd.log"
  log "rosterd up on $BASE_URL (pid $SERVER_PID, workers=$WORKERS)"
}

start_minimal() {
  local port
  port="$(free_port)"
  "$MINIMAL" --port "$port" --threads "$WORKERS" >/dev/null 2>"$WORK/minimal.log" &
  SERVER_PID=$!
  BASE_URL="http://127.0.0.1:$port"
  wait_until_up "$BASE_URL/" "$WORK/minimal.log"
  log "minimal Beast server up on $BASE_URL (pid $SERVER_PID, threads=$WORKERS)"
}

# --- measuring ---------------------------------------------------------------------------------
# p99 as wrk prints it (850.00us, 1.23ms, 1.02s, 1.00m) -> milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "ms") n = n; else if (u == "s") n *= 1000;
    else if (u == "m") n *= 60000; else if (u == "h") n *= 3600000; else { print "NaN"; exit }
    printf "%.3f\n", n }'
}
median() {
  tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 }
    END { if (NR == 0) { print "NaN"; exit }
          if (NR % 2) printf "%.3f\n", a[(NR + 1) / 2]
          else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

declare -A LABEL RPS P99 NON2XX SOCKERR RAW_RPS RAW_P99 PAYLOAD
TARGETS=()

# measure KEY LABEL URL
measure() {
  local name="$1" url="$3" out rps p99raw p99 non2xx sockerr i
  TARGETS+=("$name")
  LABEL[$name]="$2"
  PAYLOAD[$name]="$(curl -fsS "$url" | head -c 60)"
  if [[ "$WARMUP" != 0 ]]; then
    log "${LABEL[$name]}: warm-up ${WARMUP}"
    wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$url" >/dev/null
  fi
  RAW_RPS[$name]=""
  RAW_P99[$name]=""
  NON2XX[$name]=0
  SOCKERR[$name]=0
  for i in $(seq "$RUNS"); do
    out="$WORK/wrk-$name-$i.txt"
    wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url" >"$out"
    rps="$(awk '/^Requests\/sec:/ { print $2 }' "$out")"
    p99raw="$(awk '$1 == "99%" { print $2 }' "$out")"
    [[ -n "$rps" && -n "$p99raw" ]] || { cat "$out" >&2; die "could not parse wrk output"; }
    p99="$(to_ms "$p99raw")"
    non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")"
    sockerr="$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$out")"
    NON2XX[$name]=$((${NON2XX[$name]} + ${non2xx:-0}))
    SOCKERR[$name]=$((${SOCKERR[$name]} + ${sockerr:-0}))
    RAW_RPS[$name]+="$rps "
    RAW_P99[$name]+="$p99 "
    log "${LABEL[$name]}: run $i/$RUNS: ${rps} req/s, p99 ${p99raw} (${p99} ms)${non2xx:+, non-2xx/3xx $non2xx}${sockerr:+, socket errors $sockerr}"
  done
  RPS[$name]="$(median <<<"${RAW_RPS[$name]}")"
  P99[$name]="$(median <<<"${RAW_P99[$name]}")"
}

# Log lines at warn or above while under load are worth seeing (accept failures, etc.).
report_server_log() {
  if [[ -s "$1" ]]; then
    log "$2 wrote to its log during the run (last lines):"
    tail -n 5 "$1" >&2
  fi
}

log "wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency, $RUNS runs per target (+ ${WARMUP} warm-up)"
start_rosterd
measure healthz "rosterd GET /healthz" "$BASE_URL/healthz"
measure readyz "rosterd GET /readyz" "$BASE_URL/readyz"
stop_server
report_server_log "$WORK/rosterd.log" rosterd
start_minimal
measure minimal "minimal Beast server (any path)" "$BASE_URL/"
stop_server
report_server_log "$WORK/minimal.log" "minimal server"

# --- report ------------------------------------------------------------------------------------
commit="$(git -C "$ROOT" --no-optional-locks rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ "$commit" != unknown ]] &&
   [[ -n "$(git -C "$ROOT" --no-optional-locks status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
  commit="$commit (with uncommitted changes)"
fi
cpu="$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)"
[[ -n "$cpu" ]] || cpu="$(uname -m)"
ref="${RPS[minimal]}"

cat <<EOF

### HTTP throughput (wrk, loopback)

| Target | Median req/s | Median p99 (ms) | % of minimal server req/s | Non-2xx/3xx | Socket errors |
|---|---:|---:|---:|---:|---:|
EOF
for t in "${TARGETS[@]}"; do
  pct="$(awk -v a="${RPS[$t]}" -v b="$ref" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "n/a" }')"
  rps_int="$(awk -v a="${RPS[$t]}" 'BEGIN { printf "%.0f", a }')"
  p99_fmt="$(awk -v a="${P99[$t]}" 'BEGIN { printf "%.2f", a }')"
  printf '| %s | %s | %s | %s | %s | %s |\n' "${LABEL[$t]}" "$rps_int" "$p99_fmt" "$pct" \
    "${NON2XX[$t]}" "${SOCKERR[$t]}"
done

cat <<EOF

Per-run values (req/s; p99 ms):
EOF
for t in "${TARGETS[@]}"; do
  rps_list="${RAW_RPS[$t]% }"
  p99_list="${RAW_P99[$t]% }"
  printf -- '- %s: %s; %s\n' "${LABEL[$t]}" "${rps_list// /, }" "${p99_list// /, }"
done

cat <<EOF

Response bodies: rosterd /healthz \`${PAYLOAD[healthz]}\`, rosterd /readyz \`${PAYLOAD[readyz]}\`, minimal \`${PAYLOAD[minimal]}\`.

Method: \`wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency\`, $RUNS measured runs per target after a ${WARMUP} warm-up; the table shows the median of the runs (p99 from wrk's latency distribution). HTTP/1.1 keep-alive over 127.0.0.1; rosterd with \`workers = $WORKERS\`, \`log.level = "warn"\`, a fresh SQLite database in a temp dir; the minimal server with \`--threads $WORKERS\`.
**wrk and the server under test run on the same machine and share its $(nproc) CPU cores**, so the figures are a relative comparison (rosterd vs. the bare Beast upper bound on the same box), not the capacity of a dedicated host.

Machine:
- CPUs (nproc): $(nproc)
- CPU model: $cpu
- Kernel: $(uname -sr)
- Date: $(date -u '+%Y-%m-%d %H:%M UTC')
- rosterd commit: $commit
- Build: release preset (RelWithDebInfo), $(g++ --version 2>/dev/null | head -n1)
- wrk: $(wrk --version 2>&1 | head -n1 | awk '{ print $2 }')
EOF
if (( NON2XX[healthz] + NON2XX[readyz] + NON2XX[minimal] > 0 )); then
  echo
  echo "**Warning:** wrk counted non-2xx/3xx responses (see the table); those requests are included in req/s."
fi

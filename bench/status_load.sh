#!/usr/bin/env bash
# An agent's roster-wide status under load: GET /v1/accounts/{account}/connections?limit=200
# with the agent's personal API token (50 creators x 4 platforms = 200 connections, one page),
# sent with Accept-Encoding: gzip as browsers and HTTP libraries do (and once more without),
# in a 100,000-creator account where every creator has 4 connections (bench/roster_dataset.cpp
# --connections 4), next to GET /healthz measured in the same run against the same daemon.
# Target (issue 14): the status route at >= 50% of /healthz's req/s, p99 <= 5 ms, at 32
# connections. Prints a markdown table (median req/s and median p99 across runs) ready for
# docs/BENCHMARKS.md. See bench/README.md.
#
# Environment: as bench/roster_load.sh (RUNS, DURATION, WARMUP, WRK_THREADS, CONNECTIONS,
# WORKERS, CREATORS, AGENTS, PER_AGENT, SKIP_BUILD, ROSTERD, DATASET), plus
#   PLATFORMS [4]      connections per creator (1..5)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNS="${RUNS:-5}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
WRK_THREADS="${WRK_THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
WORKERS="${WORKERS:-2}"
CREATORS="${CREATORS:-100000}"
AGENTS="${AGENTS:-1000}"
PER_AGENT="${PER_AGENT:-50}"
PLATFORMS="${PLATFORMS:-4}"
SKIP_BUILD="${SKIP_BUILD:-0}"
LIMIT=200

ROSTERD="${ROSTERD:-$ROOT/build/release/daemon/rosterd}"
DATASET="${DATASET:-$ROOT/build/release/bench/bench_roster_dataset}"

log() { printf '[status_load] %s\n' "$*" >&2; }
die() { printf '[status_load] error: %s\n' "$*" >&2; exit 1; }

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
command -v curl >/dev/null 2>&1 || die "curl is needed (apt-get install curl)"
command -v jq >/dev/null 2>&1 || die "jq is needed to check the responses (apt-get install jq)"

# --- scratch dir and cleanup -------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/rosterd-status-load.XXXXXX")"
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
  log "building rosterd and bench_roster_dataset (release preset; log: only on failure)"
  if ! (cd "$ROOT" &&
        { [[ -f build/release/CMakeCache.txt ]] || cmake --preset release; } &&
        cmake --build --preset release --target rosterd bench_roster_dataset) \
       >"$WORK/build.log" 2>&1; then
    tail -n 40 "$WORK/build.log" >&2
    die "release build failed (last 40 lines of the build log above)"
  fi
fi
[[ -x "$ROSTERD" ]] || die "$ROSTERD is missing (build it or unset SKIP_BUILD)"
[[ -x "$DATASET" ]] || die "$DATASET is missing (build it or unset SKIP_BUILD)"

# --- dataset -----------------------------------------------------------------------------------
DIR="$WORK/rosterd"
mkdir -p "$DIR/state"
log "generating the dataset: $CREATORS creators x $PLATFORMS connections, $AGENTS agents x $PER_AGENT creators"
gen_start=$(date +%s.%N)
"$DATASET" "$DIR/state/rosterd.db" --creators "$CREATORS" --agents "$AGENTS" \
  --per-agent "$PER_AGENT" --connections "$PLATFORMS" >"$WORK/dataset.txt" 2>"$WORK/dataset.log" ||
  { cat "$WORK/dataset.log" >&2; die "bench_roster_dataset failed"; }
gen_seconds=$(awk -v a="$gen_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
cat "$WORK/dataset.log" >&2
field() { awk -F= -v k="$1" '$1 == k { print substr($0, length(k) + 2) }' "$WORK/dataset.txt"; }
ACCOUNT="$(field account)"
AGENT_EMAIL="$(field agent_email)"
AGENT_TOKEN="$(field agent_token)"
OWNER_EMAIL="$(field owner_email)"
OWNER_TOKEN="$(field owner_token)"
[[ -n "$ACCOUNT" && -n "$AGENT_TOKEN" && -n "$OWNER_TOKEN" ]] ||
  die "bench_roster_dataset printed no account or tokens"
DB_BYTES=$(stat -c %s "$DIR/state/rosterd.db")

# --- server ------------------------------------------------------------------------------------
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

start_rosterd() {
  local port
  port="$(free_port)"
  # The outbox is empty (the generator queues no mail); the SMTP URL points at the discard
  # port, which is closed, so nothing could leave this machine even if something were queued.
  cat >"$DIR/rosterd.toml" <<TOML
[server]
listen = ["127.0.0.1:$port"]
public_url = "http://127.0.0.1:$port"
workers = $WORKERS

[store]
path = "state/rosterd.db"   # relative to this file's directory

[mail]
smtp_url = "smtp://127.0.0.1:9"
tls = "none"

[log]
level = "warn"
TOML
  "$ROSTERD" --config "$DIR/rosterd.toml" >"$WORK/rosterd.log" 2>&1 &
  SERVER_PID=$!
  BASE_URL="http://127.0.0.1:$port"
  for _ in $(seq 300); do
    if curl -fsS -o /dev/null --max-time 1 "$BASE_URL/readyz" 2>/dev/null; then
      log "rosterd up on $BASE_URL (pid $SERVER_PID, workers=$WORKERS)"
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/rosterd.log" >&2; die "rosterd exited"; }
    sleep 0.1
  done
  cat "$WORK/rosterd.log" >&2
  die "rosterd did not answer /readyz within 30 s"
}

# --- measuring ---------------------------------------------------------------------------------
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

declare -A LABEL RPS P99 NON2XX SOCKERR RAW_RPS RAW_P99 CHECK
TARGETS=()

# check_status TOKEN WANT: one request, looked at before measuring: every visible connection on
# one page, in urgency order, counted.
check_status() {
  local token="$1" want="$2" body status items total next
  body="$WORK/check-status.json"
  status="$(curl -sS -o "$body" -w '%{http_code}' -H "Authorization: Bearer $token" "$STATUS_URL")"
  [[ "$status" == 200 ]] || { cat "$body" >&2; die "GET $STATUS_URL answered $status"; }
  items="$(jq '.items | length' "$body")"
  total="$(jq '.counts.total' "$body")"
  next="$(jq -r 'if .next == null then "null" else "cursor" end' "$body")"
  [[ "$items" == "$want" && "$total" == "$want" && "$next" == null ]] ||
    die "expected $want connections on one page, got items=$items total=$total next=$next"
  jq -e '[.items[].creator_id] | unique | length' "$body" >/dev/null
  CHECK[status]="200, $items connections of $(jq '[.items[].creator_id] | unique | length' "$body") creators, counts $(jq -c '.counts.by_state' "$body"), $(stat -c %s "$body") bytes"
  log "status: ${CHECK[status]}"
}

# measure KEY LABEL URL [TOKEN [HEADER]]
measure() {
  local name="$1" url="$3" token="${4:-}" header="${5:-}" out rps p99raw p99 non2xx sockerr i
  local -a auth=()
  [[ -n "$token" ]] && auth=(-H "Authorization: Bearer $token")
  [[ -n "$header" ]] && auth+=(-H "$header")
  TARGETS+=("$name")
  LABEL[$name]="$2"
  if [[ "$WARMUP" != 0 ]]; then
    log "${LABEL[$name]}: warm-up ${WARMUP}"
    wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${auth[@]}" "$url" >/dev/null
  fi
  RAW_RPS[$name]=""
  RAW_P99[$name]=""
  NON2XX[$name]=0
  SOCKERR[$name]=0
  for i in $(seq "$RUNS"); do
    out="$WORK/wrk-$name-$i.txt"
    wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${auth[@]}" "$url" >"$out"
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

# measure_round KEY LABEL URL [TOKEN]: one more measured run of KEY (first call registers it).
measure_round() {
  local name="$1"
  if [[ -z "${LABEL[$name]:-}" ]]; then
    measure "$@"
    SAVED_RPS[$name]="${RAW_RPS[$name]}"
    SAVED_P99[$name]="${RAW_P99[$name]}"
    SAVED_NON2XX[$name]="${NON2XX[$name]}"
    SAVED_SOCKERR[$name]="${SOCKERR[$name]}"
    return
  fi
  local n=${#TARGETS[@]}
  measure "$@"
  TARGETS=("${TARGETS[@]:0:$n}")  # measure() appended the key again
  RAW_RPS[$name]="${SAVED_RPS[$name]}${RAW_RPS[$name]}"
  RAW_P99[$name]="${SAVED_P99[$name]}${RAW_P99[$name]}"
  NON2XX[$name]=$(( SAVED_NON2XX[$name] + NON2XX[$name] ))
  SOCKERR[$name]=$(( SAVED_SOCKERR[$name] + SOCKERR[$name] ))
  SAVED_RPS[$name]="${RAW_RPS[$name]}"
  SAVED_P99[$name]="${RAW_P99[$name]}"
  SAVED_NON2XX[$name]="${NON2XX[$name]}"
  SAVED_SOCKERR[$name]="${SOCKERR[$name]}"
}
declare -A SAVED_RPS SAVED_P99 SAVED_NON2XX SAVED_SOCKERR

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
start_rosterd
STATUS_URL="$BASE_URL/v1/accounts/$ACCOUNT/connections?limit=$LIMIT"
check_status "$AGENT_TOKEN" "$(( PER_AGENT * PLATFORMS ))"

log "wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency, $RUNS runs per target (+ ${WARMUP} warm-up), alternating"
# Alternating the two targets run by run keeps a drift in machine load from favouring either.
RUNS_TOTAL="$RUNS"
RUNS=1
for round in $(seq "$RUNS_TOTAL"); do
  log "round $round/$RUNS_TOTAL"
  measure_round healthz "GET /healthz" "$BASE_URL/healthz"
  # Browsers and HTTP libraries (requests, fetch, curl --compressed) send Accept-Encoding: gzip.
  measure_round status "GET .../connections?limit=$LIMIT, agent token ($PER_AGENT creators x $PLATFORMS), Accept-Encoding: gzip" "$STATUS_URL" "$AGENT_TOKEN" "Accept-Encoding: gzip"
  measure_round status_plain "GET .../connections?limit=$LIMIT, agent token, no compression" "$STATUS_URL" "$AGENT_TOKEN"
  WARMUP=0
done
RUNS="$RUNS_TOTAL"
for t in "${TARGETS[@]}"; do
  RPS[$t]="$(median <<<"${RAW_RPS[$t]}")"
  P99[$t]="$(median <<<"${RAW_P99[$t]}")"
done
stop_server
if [[ -s "$WORK/rosterd.log" ]]; then
  log "rosterd wrote to its log during the run (last lines):"
  tail -n 5 "$WORK/rosterd.log" >&2
fi

# --- report ------------------------------------------------------------------------------------
commit="$(git -C "$ROOT" --no-optional-locks rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ "$commit" != unknown ]] &&
   [[ -n "$(git -C "$ROOT" --no-optional-locks status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
  commit="$commit (with uncommitted changes)"
fi
cpu="$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)"
[[ -n "$cpu" ]] || cpu="$(uname -m)"

cat <<EOF

### An agent's roster status next to /healthz (wrk, loopback, same daemon, same run)

| Target | Median req/s | Median p99 (ms) | Non-2xx/3xx | Socket errors |
|---|---:|---:|---:|---:|
EOF
for t in "${TARGETS[@]}"; do
  rps_int="$(awk -v a="${RPS[$t]}" 'BEGIN { printf "%.0f", a }')"
  p99_fmt="$(awk -v a="${P99[$t]}" 'BEGIN { printf "%.2f", a }')"
  printf '| %s | %s | %s | %s | %s |\n' "${LABEL[$t]}" "$rps_int" "$p99_fmt" "${NON2XX[$t]}" \
    "${SOCKERR[$t]}"
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

Status (gzip) vs /healthz: $(awk -v a="${RPS[status]}" -v b="${RPS[healthz]}" 'BEGIN { printf "%.0f%%", 100 * a / b }') of the req/s (target >= 50%), p99 $(awk -v a="${P99[status]}" 'BEGIN { printf "%.2f", a }') ms (target <= 5 ms). Without compression: $(awk -v a="${RPS[status_plain]}" -v b="${RPS[healthz]}" 'BEGIN { printf "%.0f%%", 100 * a / b }'), p99 $(awk -v a="${P99[status_plain]}" 'BEGIN { printf "%.2f", a }') ms.

Response checked before measuring: agent ($AGENT_EMAIL) ${CHECK[status]}.

Dataset: one account, $CREATORS creators (each a user, a membership, a creator row, an access group and $PLATFORMS connections in a spread of states), $AGENTS agents each on $PER_AGENT creators' teams (spread over the whole alphabetical list); $(awk -v b="$DB_BYTES" 'BEGIN { printf "%.1f MB", b / 1e6 }') database, generated in ${gen_seconds} s by \`bench_roster_dataset\` (schema by migration, bulk rows by prepared INSERTs in one transaction, tokens by \`roster::create_api_token\`).

Method: \`wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency\` (with \`-H 'Authorization: Bearer rdpat_…'\` for the status route), $RUNS measured runs per target, the two targets alternating run by run, after one warm-up each; the table shows the median of the runs. HTTP/1.1 keep-alive over 127.0.0.1; rosterd with \`workers = $WORKERS\`, default \`read_connections = 2\`, \`log.level = "warn"\`.
**wrk and rosterd share the machine's $(nproc) CPU cores.**

Machine:
- CPUs (nproc): $(nproc)
- CPU model: $cpu
- Kernel: $(uname -sr)
- Load average (1/5/15 min) before the runs: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
- Date: $(date -u '+%Y-%m-%d %H:%M UTC')
- rosterd commit: $commit
- Build: release preset (RelWithDebInfo), $(g++ --version 2>/dev/null | head -n1)
- rosterd binary: $ROSTERD
- wrk: $(wrk --version 2>&1 | head -n1 | awk '{ print $2 }')
EOF
if (( NON2XX[healthz] + NON2XX[status] + NON2XX[status_plain] > 0 )); then
  echo
  echo "**Warning:** wrk counted non-2xx/3xx responses (see the table); those requests are included in req/s."
fi

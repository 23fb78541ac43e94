#!/usr/bin/env bash
# Side by side on this machine, in one sitting: Sluice's HTTP front door (POST /v1/chat/completions, answered once the
# whole exactly-once pipeline is through) and the Portkey AI gateway (a stateless proxy, from npm), both in front of
# the same provider simulator, driven by the same HTTP load tool (autocannon) with the same connections and prompt.
#   bench/gateway.sh                      2 rounds of 30 s at 1,000 connections, after a 10 s warm-up of each
#   ROUNDS=3 DURATION=60 CONNECTIONS=500 PROMPT="..." bench/gateway.sh
# Needs node, npm and curl (installs @portkey-ai/gateway and autocannon under WORK on first use). Uses ports 19092,
# 18081, 18080, 18099 and 18787; stops what it started when it ends. The gateway is one Node process (one event loop,
# at most one core); Sluice's JVM uses both cores.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${WORK:-${TMPDIR:-/tmp}/sluice-gateway-bench}"
ROUNDS="${ROUNDS:-2}" DURATION="${DURATION:-30}" CONNECTIONS="${CONNECTIONS:-1000}"
PORTKEY_VERSION=1.15.2 AUTOCANNON_VERSION=9.0.0
SIM=18099 HTTP=18080 GATEWAY=18787
for tool in node npm curl; do
  command -v "$tool" >/dev/null || { echo "bench/gateway.sh: needs $tool (e.g. apt-get install nodejs npm curl)" >&2; exit 1; }
done
for port in 19092 18081 $HTTP $SIM $GATEWAY; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "bench/gateway.sh: port $port is in use; stop what listens there (an earlier run?) and try again" >&2; exit 1
  fi
done
mkdir -p "$WORK/node"
if [ ! -x "$WORK/node/node_modules/.bin/gateway" ] || [ ! -x "$WORK/node/node_modules/.bin/autocannon" ]; then
  echo "installing @portkey-ai/gateway@$PORTKEY_VERSION and autocannon@$AUTOCANNON_VERSION into $WORK/node..." >&2
  (cd "$WORK/node" && npm init -y >/dev/null && npm install --no-audit --no-fund \
    "@portkey-ai/gateway@$PORTKEY_VERSION" "autocannon@$AUTOCANNON_VERSION" >/dev/null)
fi
"$ROOT/sluice" --version >/dev/null # builds first if the sources changed, before anything is timed
rm -rf "$WORK/sluice" && mkdir -p "$WORK/sluice"
cat > "$WORK/sluice/bench.properties" <<PROPS
embedded.data.dir=$WORK/sluice/kafka
state.dir=$WORK/sluice/state
embedded.kafka.port=19092
embedded.registry.port=18081
embedded.simulator.port=$SIM
http.port=$HTTP
limits.user.requests.per.minute=0
limits.user.requests.per.hour=0
limits.user.requests.per.day=0
limits.user.tokens.per.minute=0
limits.user.tokens.per.day=0
limits.tenant.requests.per.minute=0
limits.tenant.requests.per.hour=0
limits.tenant.requests.per.day=0
limits.tenant.tokens.per.minute=0
limits.tenant.tokens.per.day=0
PROPS
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 1 30); do
    alive=0; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return; sleep 1
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
"$ROOT/sluice" run -c "$WORK/sluice/bench.properties" > "$WORK/sluice/run.log" 2>&1 &
pids+=($!)
NODE_ENV=production "$WORK/node/node_modules/.bin/gateway" --port=$GATEWAY --headless > "$WORK/gateway.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 180); do
  curl -sf "http://127.0.0.1:$HTTP/health/ready" >/dev/null 2>&1 && curl -sf "http://127.0.0.1:$GATEWAY/" >/dev/null 2>&1 && break
  kill -0 "${pids[0]}" 2>/dev/null || { echo "Sluice stopped; see $WORK/sluice/run.log" >&2; exit 1; }
  kill -0 "${pids[1]}" 2>/dev/null || { echo "the gateway stopped; see $WORK/gateway.log" >&2; exit 1; }
  sleep 1
done
curl -sf "http://127.0.0.1:$HTTP/health/ready" >/dev/null || { echo "Sluice did not get ready; see $WORK/sluice/run.log" >&2; exit 1; }
curl -sf "http://127.0.0.1:$GATEWAY/" >/dev/null || { echo "the gateway did not start; see $WORK/gateway.log" >&2; exit 1; }

PROMPT="${PROMPT:-Summarize the following paragraph in two sentences: the sluice gate holds steady while water flows through each channel of the mill, and the miller checks the level every hour before the evening shift.}"
PROMPT_JSON=$(node -e 'process.stdout.write(JSON.stringify(process.argv[1]))' "$PROMPT")
load() { # load portkey|sluice SECONDS: one autocannon run, printed as one line
  local args=(-c "$CONNECTIONS" -d "$2" -t 10 -j -m POST -H content-type=application/json)
  if [ "$1" = portkey ]; then
    args+=(-H x-portkey-provider=openai -H "x-portkey-custom-host=http://127.0.0.1:$SIM/v1" -H "Authorization=Bearer sk-bench"
           -b "{\"model\":\"gpt-4o-mini\",\"user\":\"u1\",\"messages\":[{\"role\":\"user\",\"content\":$PROMPT_JSON}]}"
           "http://127.0.0.1:$GATEWAY/v1/chat/completions")
  else # a new end user per request ([<id>]), billed to one tenant
    args+=(-H Sluice-Tenant=bench --idReplacement
           -b "{\"model\":\"default\",\"user\":\"u-[<id>]\",\"messages\":[{\"role\":\"user\",\"content\":$PROMPT_JSON}]}"
           "http://127.0.0.1:$HTTP/v1/chat/completions")
  fi
  "$WORK/node/node_modules/.bin/autocannon" "${args[@]}" 2>>"$WORK/autocannon.log" | node -e '
    let s = ""; process.stdin.on("data", d => s += d).on("end", () => { const r = JSON.parse(s);
      console.log(`${process.argv[1].padEnd(8)} ${String(Math.round(r.requests.average)).padStart(6)} answers/s · p50 ${r.latency.p50} ms · p99 ${r.latency.p99} ms · max ${r.latency.max} ms · 2xx ${r["2xx"]} · other status ${r.non2xx} · errors ${r.errors} (time-outs ${r.timeouts})`); });' "$1"
}
echo "warm-up, $CONNECTIONS connections, 10 s each:"
load portkey 10; load sluice 10
echo "measured, $CONNECTIONS connections, $DURATION s each, alternating (provider: Sluice's simulator, 50 ms):"
for r in $(seq 1 "$ROUNDS"); do # the order alternates too
  if [ $((r % 2)) = 1 ]; then first=portkey second=sluice; else first=sluice second=portkey; fi
  load "$first" "$DURATION"; sleep 3; load "$second" "$DURATION"; sleep 3
done
echo "Sluice's own count of what it answered (tenant bench, including calls still in flight when a run ended):"
curl -s "http://127.0.0.1:$HTTP/v1/usage/tenants/bench" -H Sluice-Tenant:bench; echo

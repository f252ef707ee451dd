#!/usr/bin/env bash
# End-to-end HTTP load run on Payara Micro: /bench/open (no check), /bench/naive (hand-written plaintext
# comparison), /bench/key (@ApiKeyRequired) and /benchjwt/jwt (MicroProfile JWT, its own deployment), same
# small body, same wrk settings, endpoints alternating within each round; then /bench/key once per backend.
#   bench/http.sh quick   ~3 minutes: memory and redis, short runs (a smoke check of the script, not figures)
#   bench/http.sh full    ~25 minutes: every backend, 3 rounds of 10 s per endpoint, 60 s warm-up for MP JWT
#   bench/http.sh near    ~20 minutes: redis and jpa without and with their near caches, redis-cache with its near
#                         cache, 16 and 64 connections, 3 rounds
#   bench/http.sh metrics  ~12 minutes: memory with MP Metrics off (apiauth.metrics.enabled=false), on, and on with
#                         telemetry on as well (every request's server span recorded, the guard's attributes on it), 5 rounds
#   bench/http.sh profile ~12 minutes: the store's round trip dissected: for memory, redis and jpa (PROFILE_BACKENDS
#                         chooses others, e.g. redis-near) the server's CPU per request on /bench/open and /bench/key
#                         (16 connections, 5 rounds of 10 s after 30 s of warm-up each; the least and the median), a
#                         15 s async-profiler CPU profile of /bench/key (Java, native and kernel frames; the profiler is
#                         tools.profiler:async-profiler from Maven Central, loaded with jcmd), and the floor on the same
#                         cores: redis-benchmark HGET and pgbench running the backend's lookup query, with their CPU
#                         per round trip. Output bench/results/profile.md (the stacks: target/bench/profile-<backend>.collapsed)
#   bench/http.sh cluster ~10 minutes: redis on the machine's single Redis and on a local Redis Cluster (three masters,
#                         three replicas on ports 21001-21006, started and stopped here with redis-server), each
#                         without and with the near cache, 16 connections, 3 rounds: what a cluster hop costs
#   bench/http.sh ratelimit  ~8 minutes: /bench/key with a key without a limit and with one (1,000,000 per second, never
#                         reached: the counting is measured, not refusals), 5 rounds, memory and redis-cache + near cache
# Needs PostgreSQL and Redis on 127.0.0.1 (the redis-cache and jpa runs use database apiauth_bench, created and
# dropped here, and Redis keys under apiauth-bench-http:, deleted here). Port 8080 must be free.
# Output: bench/results/http-<mode>.log (raw wrk output) and http-<mode>.md (the table).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-quick}
case "$mode" in
  quick) WARM=5; WARM_JWT=20; DUR=5; ROUNDS=1; CONNS="16 64"; BACKENDS="memory redis"; USAGE_RUN=15 ;;
  full) WARM=15; WARM_JWT=60; DUR=10; ROUNDS=3; CONNS="16 64"; BACKENDS="memory redis redis-near redis-cache redis-cache-near jpa jpa-near"; USAGE_RUN=30 ;;
  metrics) WARM=15; WARM_JWT=0; DUR=10; ROUNDS=5; CONNS="16"; BACKENDS="memory-nometrics memory memory-telemetry"; USAGE_RUN=0 ;;
  near) WARM=15; WARM_JWT=0; DUR=10; ROUNDS=3; CONNS="16 64"; BACKENDS="${NEAR_BACKENDS:-redis redis-near redis-cache-near jpa jpa-near}"; USAGE_RUN=0 ;;
  ratelimit) WARM=15; WARM_JWT=0; DUR=10; ROUNDS=5; CONNS="16"; BACKENDS="memory redis-cache-near"; USAGE_RUN=0 ;;
  cluster) WARM=15; WARM_JWT=0; DUR=10; ROUNDS=3; CONNS="16"; BACKENDS="redis redis-near redis-cluster redis-cluster-near"; USAGE_RUN=0 ;;
  profile) WARM=30; WARM_JWT=0; DUR=10; ROUNDS=5; CONNS="16"; BACKENDS="${PROFILE_BACKENDS:-memory redis jpa}"; USAGE_RUN=0 ;;
  *) echo "usage: bench/http.sh [quick|full|near|cluster|profile|ratelimit|metrics]" >&2; exit 2 ;;
esac
FLUSH=5
PORT=8080
BASE="http://127.0.0.1:$PORT"

command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }; }
command -v wrk >/dev/null || { echo "wrk is not installed and could not be installed" >&2; exit 1; }
if curl -s -o /dev/null "$BASE"; then echo "port $PORT is in use; stop what runs there first" >&2; exit 1; fi

echo "== building the library and the benchmark WARs"
mvn -B -q -DskipTests -Dit.skip=true install   # the library and its test kit, into the local repository; no child build
# the WAR builders of it-tests/ and its copy of Payara Micro (-DskipTests alone skips that copy)
mvn -B -q -f it-tests/pom.xml -DskipTests -Dskip.payara6=false package
mvn -B -q -f it-tests/pom.xml dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
JAR=$(ls target/jakarta-api-auth-*.jar | grep -v -e sources -e tests | head -1)
java -cp "it-tests/target/classes:$(cat it-tests/target/test-classpath.txt)" dev.apiauth.bench.build.BenchWars "$JAR" target/bench
GENERATED=$(java -jar "$JAR" generate --prefix ops_)
ADMIN_KEY=$(echo "$GENERATED" | awk '/^key:/ {print $2}')
ADMIN_HASH=$(echo "$GENERATED" | awk '/^hash:/ {print $2}')
NAIVE_KEY=$(head -c 32 /dev/urandom | base64 | tr -d '/+=\n')
TOKEN=$(cat target/bench/jwt.token)
NAMESPACE="apiauth-bench-http:$$:"

psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS apiauth_bench WITH (FORCE)" -c "CREATE DATABASE apiauth_bench"
PAYARA_PID=
CLUSTER_PORTS="21001 21002 21003 21004 21005 21006" # bus ports 31001-31006: both below the ephemeral range (32768+), which outgoing connections may hold
CLUSTER_DIR=
# a local Redis Cluster for the cluster mode: three masters, three replicas, every slot covered
start_cluster() {
  CLUSTER_DIR=$(mktemp -d /tmp/apiauth-bench-cluster.XXXXXX)
  for p in $CLUSTER_PORTS; do
    if redis-cli -p "$p" ping >/dev/null 2>&1; then echo "port $p is in use; the cluster mode needs 21001-21006 and 31001-31006" >&2; exit 1; fi
    mkdir -p "$CLUSTER_DIR/$p"
    redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 3000 \
      --save "" --appendonly no --dir "$CLUSTER_DIR/$p" --logfile "$CLUSTER_DIR/$p/redis.log" --daemonize yes
  done
  for p in $CLUSTER_PORTS; do
    for _ in $(seq 1 100); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-cli -p "$p" ping >/dev/null 2>&1 || { echo "redis-server did not start on $p; see $CLUSTER_DIR/$p/redis.log" >&2; exit 1; }
  done
  # shellcheck disable=SC2046
  redis-cli --cluster create $(for p in $CLUSTER_PORTS; do echo "127.0.0.1:$p"; done) --cluster-replicas 1 --cluster-yes > "$CLUSTER_DIR/create.log"
  for _ in $(seq 1 100); do redis-cli -p 21001 cluster info | grep -q 'cluster_state:ok' && break; sleep 0.2; done
  redis-cli -p 21001 cluster info | grep -q 'cluster_state:ok' || { echo "the local cluster did not form; see $CLUSTER_DIR" >&2; exit 1; }
  # one Netty event loop per core, as the library sets for a client it builds from apiauth.redis.address
  { echo "nettyThreads: $(nproc)"; echo "clusterServersConfig:"; echo "  scanInterval: 1000"; echo "  timeout: 1000"
    echo "  connectTimeout: 1000"; echo "  nodeAddresses:"; for p in $CLUSTER_PORTS; do echo "  - \"redis://127.0.0.1:$p\""; done; } > "$CLUSTER_DIR/redisson.yaml"
}
stop_cluster() {
  [ -n "$CLUSTER_DIR" ] || return 0
  for p in $CLUSTER_PORTS; do redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true; done
  rm -rf "$CLUSTER_DIR"; CLUSTER_DIR=
}
cleanup() {
  [ -n "$PAYARA_PID" ] && kill "$PAYARA_PID" 2>/dev/null && wait "$PAYARA_PID" 2>/dev/null || true
  stop_cluster
  psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS apiauth_bench WITH (FORCE)" || true
  redis-cli -h 127.0.0.1 --scan --pattern "${NAMESPACE}*" | xargs -r redis-cli -h 127.0.0.1 del >/dev/null || true
}
trap cleanup EXIT

mkdir -p bench/results
RAW="bench/results/http-$mode.log"
{
  echo "# bench/http.sh $mode, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "# java: $(java -version 2>&1 | head -1); payara-micro 6.2025.10 (-Xmx1g); $(wrk --version 2>&1 | head -1 | cut -c1-40)"
  echo "# wrk -t1 -c<conns> -d${DUR}s --latency; warm-up ${WARM}s per endpoint (${WARM_JWT}s for MP JWT); usage flush interval ${FLUSH}s"
} > "$RAW"

run_wrk() { # label conns seconds url header
  local label=$1 conns=$2 seconds=$3 url=$4 header=$5
  echo "### $label" >> "$RAW"
  wrk -t1 -c"$conns" -d"${seconds}s" --latency -H "$header" "$url" >> "$RAW" 2>&1
}

# profile mode: server CPU per request (utime + stime of the Payara JVM over a wrk run, from /proc), then a CPU profile
cpu_ticks() { awk '{print $14 + $15}' "/proc/$PAYARA_PID/stat"; }
profile_backend() {
  local backend=$1 ep round before after out requests
  for round in $(seq 1 "$ROUNDS"); do
    for ep in open key; do
      before=$(cpu_ticks)
      out=$(wrk -t1 -c16 -d"${DUR}s" -H "$(header_for $ep)" "$(url_for $ep)")
      after=$(cpu_ticks)
      requests=$(echo "$out" | awk '/requests in/ {print $1}')
      echo "### cpu backend=$backend endpoint=$ep round=$round requests=$requests ticks=$((after - before)) hz=$(getconf CLK_TCK)" >> "$RAW"
      echo "   round $round $ep: $requests requests, $((after - before)) ticks"
    done
  done
  AP_LIB=$(async_profiler)
  # jcmd parses name=value pairs itself: the agent's options go through as one quoted string
  jcmd "$PAYARA_PID" JVMTI.agent_load "$AP_LIB" "\"start,event=cpu,interval=1000000\"" | grep -q "return code: 0" \
    || { echo "async-profiler did not start in Payara" >&2; exit 1; }
  wrk -t1 -c16 -d15s -H "$(header_for key)" "$(url_for key)" > /dev/null
  jcmd "$PAYARA_PID" JVMTI.agent_load "$AP_LIB" "\"stop,collapsed,file=$PWD/target/bench/profile-$backend.collapsed\"" > /dev/null
  echo "### profile backend=$backend file=target/bench/profile-$backend.collapsed" >> "$RAW"
}
# async-profiler's native library from Maven Central (tools.profiler:async-profiler, linux-x64 classifier)
async_profiler() {
  local version=4.1 dir=target/async-profiler
  if [ ! -f "$dir/linux-x64/libasyncProfiler.so" ]; then
    mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy -Dartifact=tools.profiler:async-profiler:$version:jar:linux-x64 -DoutputDirectory="$dir" >&2
    (cd "$dir" && unzip -o -q "async-profiler-$version-linux-x64.jar" 'linux-x64/*')
  fi
  echo "$PWD/$dir/linux-x64/libasyncProfiler.so"
}
# the floor: the stores' own benchmark clients on the same cores, 16 connections, with their CPU per round trip
profile_floors() {
  local t0 t1 out
  echo "== floor: redis-benchmark HGET (the redis backend's lookup), 16 connections"
  redis-cli -h 127.0.0.1 hset "${NAMESPACE}floor" r "$(head -c 180 /dev/zero | tr '\0' x)" > /dev/null
  for round in $(seq 1 "$ROUNDS"); do
    out=$( { /usr/bin/time -f "cpu %U %S" redis-benchmark -h 127.0.0.1 -c 16 -n 200000 --csv hget "${NAMESPACE}floor" r 2>&1; } 2>&1 )
    echo "### floor redis round=$round" >> "$RAW"; echo "$out" >> "$RAW"
  done
  out=$( { /usr/bin/time -f "cpu %U %S" redis-benchmark -h 127.0.0.1 -c 1 -n 50000 --csv hget "${NAMESPACE}floor" r 2>&1; } 2>&1 )
  echo "### floor redis-c1" >> "$RAW"; echo "$out" >> "$RAW"
  local hash
  hash=$(psql -h 127.0.0.1 -U postgres -d apiauth_bench -Atc "SELECT key_hash FROM apiauth_keys LIMIT 1" 2>/dev/null) \
    || { echo "== floor: pgbench skipped (no jpa run, no table to query)"; return 0; }
  echo "== floor: pgbench, the lookup by hash, 16 connections"
  echo "SELECT id, created_at, expires_at, hint, key_hash, last_used_at, metadata, name, owner_id, revoked_at, scopes, version FROM apiauth_keys WHERE key_hash = '$hash';" > target/bench/lookup.sql
  for round in $(seq 1 "$ROUNDS"); do
    out=$( { /usr/bin/time -f "cpu %U %S" pgbench -h 127.0.0.1 -U postgres -n -M prepared -c 16 -j 1 -T "$DUR" -f target/bench/lookup.sql apiauth_bench 2>&1; } 2>&1 )
    echo "### floor pgbench round=$round" >> "$RAW"; echo "$out" >> "$RAW"
  done
  out=$( { /usr/bin/time -f "cpu %U %S" pgbench -h 127.0.0.1 -U postgres -n -M prepared -c 1 -j 1 -T "$DUR" -f target/bench/lookup.sql apiauth_bench 2>&1; } 2>&1 )
  echo "### floor pgbench-c1" >> "$RAW"; echo "$out" >> "$RAW"
}

header_for() {
  case $1 in
    open) echo "X-Bench: open" ;;
    naive) echo "X-API-Key: $NAIVE_KEY" ;;
    key) echo "X-API-Key: $KEY" ;;
    limited) echo "X-API-Key: $LIMITED_KEY" ;;
    jwt) echo "Authorization: Bearer $TOKEN" ;;
  esac
}
url_for() { case $1 in jwt) echo "$BASE/benchjwt/jwt" ;; limited) echo "$BASE/bench/key" ;; *) echo "$BASE/bench/$1" ;; esac; }

for backend in $BACKENDS; do
  echo "== backend $backend"
  ENV=(APIAUTH_BOOTSTRAP_ADMIN_KEY_HASH="$ADMIN_HASH" BENCH_NAIVE_KEY="$NAIVE_KEY" APIAUTH_REDIS_NAMESPACE="$NAMESPACE"
       APIAUTH_USAGE_FLUSH_INTERVAL="$FLUSH" APIAUTH_JPA_DATASOURCE=java:app/jdbc/bench-postgres APIAUTH_CACHE_PRIMARY=jpa)
  case $backend in
    memory-nometrics) ENV+=(APIAUTH_BACKEND=memory APIAUTH_METRICS_ENABLED=false); DEPLOY=(--deploy target/bench/bench.war); ENDPOINTS="open key" ;;
    memory-telemetry) ENV+=(APIAUTH_BACKEND=memory OTEL_SDK_DISABLED=false OTEL_TRACES_EXPORTER=none OTEL_METRICS_EXPORTER=none
                            OTEL_LOGS_EXPORTER=none); DEPLOY=(--deploy target/bench/bench.war); ENDPOINTS="open key" ;;
    memory) ENV+=(APIAUTH_BACKEND=memory); DEPLOY=(--deploy target/bench/bench.war --deploy target/bench/benchjwt.war); ENDPOINTS="open naive key jwt" ;;
    redis) ENV+=(APIAUTH_BACKEND=redis); DEPLOY=(--deploy target/bench/bench.war); ENDPOINTS="open key" ;;
    redis-near) ENV+=(APIAUTH_BACKEND=redis APIAUTH_CACHE_LOCAL=true); DEPLOY=(--deploy target/bench/bench.war); ENDPOINTS="open key" ;;
    redis-cluster|redis-cluster-near)
      [ -n "$CLUSTER_DIR" ] || start_cluster
      near=false; [ "$backend" = redis-cluster-near ] && near=true
      # the namespace's hash tag keeps its keys in one slot (the library refuses one without on a cluster)
      ENV+=(APIAUTH_BACKEND=redis APIAUTH_CACHE_LOCAL=$near APIAUTH_REDIS_CONFIG="$CLUSTER_DIR/redisson.yaml"
            APIAUTH_REDIS_NAMESPACE="{apiauth-bench}:")
      DEPLOY=(--deploy target/bench/bench.war); ENDPOINTS="open key" ;;
    redis-cache) ENV+=(APIAUTH_BACKEND=redis-cache APIAUTH_CACHE_LOCAL=false); DEPLOY=(--deploy target/bench/bench.war); ENDPOINTS="open key" ;;
    redis-cache-near) ENV+=(APIAUTH_BACKEND=redis-cache APIAUTH_CACHE_LOCAL=true); DEPLOY=(--deploy target/bench/bench.war); ENDPOINTS="open key" ;;
    jpa) ENV+=(APIAUTH_BACKEND=jpa); DEPLOY=(--deploy target/bench/bench.war); ENDPOINTS="open key" ;;
    jpa-near) ENV+=(APIAUTH_BACKEND=jpa APIAUTH_CACHE_LOCAL=true); DEPLOY=(--deploy target/bench/bench.war); ENDPOINTS="open key" ;;
  esac
  [ "$mode" = ratelimit ] && { DEPLOY=(--deploy target/bench/bench.war); ENDPOINTS="open key limited"; }
  [ "$mode" = metrics ] && { DEPLOY=(--deploy target/bench/bench.war); ENDPOINTS="open key"; }
  [ "$mode" = profile ] && { DEPLOY=(--deploy target/bench/bench.war); ENDPOINTS="open key"; }
  LOG="target/bench/payara-$backend.log"
  AGENT=(); [ "$mode" = profile ] && AGENT=(-agentpath:"$(async_profiler)") # loaded idle; started and stopped through jcmd
  # shellcheck disable=SC2086 # BENCH_JAVA_OPTS: extra JVM options for the servers, split on spaces
  env "${ENV[@]}" java -Xmx1g ${BENCH_JAVA_OPTS:-} "${AGENT[@]}" -jar it-tests/target/payara-micro.jar "${DEPLOY[@]}" --port $PORT --nohazelcast --disablephonehome > "$LOG" 2>&1 &
  PAYARA_PID=$!
  for _ in $(seq 1 120); do grep -q "Payara Micro URLs" "$LOG" && break; sleep 1; done
  grep -q "Payara Micro URLs" "$LOG" || { echo "Payara did not start; see $LOG" >&2; exit 1; }
  KEY=$(curl -sf -X POST -H "X-API-Key: $ADMIN_KEY" -H 'Content-Type: application/json' \
        -d '{"name":"bench","ownerId":"bench"}' "$BASE/bench/api-keys" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
  LIMITED_KEY=$(curl -sf -X POST -H "X-API-Key: $ADMIN_KEY" -H 'Content-Type: application/json' \
        -d '{"name":"bench-limited","ownerId":"bench","rateLimit":{"requests":1000000,"per":"PT1S"}}' "$BASE/bench/api-keys" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
  for ep in $ENDPOINTS; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "$(header_for $ep)" "$(url_for $ep)")
    [ "$code" = 200 ] || { echo "sanity check: $ep answered $code; see $LOG" >&2; exit 1; }
  done
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/bench/key")" = 401 ] || { echo "sanity check: /bench/key without a key was not 401" >&2; exit 1; }
  for ep in $ENDPOINTS; do
    w=$WARM; [ "$ep" = jwt ] && w=$WARM_JWT
    echo "   warm-up $ep ${w}s"
    wrk -t1 -c16 -d"${w}s" -H "$(header_for $ep)" "$(url_for $ep)" > /dev/null
  done
  if [ "$mode" = profile ]; then
    profile_backend "$backend"
    kill "$PAYARA_PID"; wait "$PAYARA_PID" 2>/dev/null || true; PAYARA_PID=
    continue
  fi
  read -r -a EPS <<< "$ENDPOINTS"
  for conns in $CONNS; do
    for round in $(seq 1 "$ROUNDS"); do
      # alternate, and rotate the order each round so that no endpoint always runs right after another
      for k in $(seq 0 $((${#EPS[@]} - 1))); do
        ep=${EPS[$(( (k + round) % ${#EPS[@]} ))]}
        echo "   c=$conns round $round $ep"
        run_wrk "backend=$backend conns=$conns round=$round endpoint=$ep" "$conns" "$DUR" "$(url_for $ep)" "$(header_for $ep)"
      done
    done
  done
  if [ "$USAGE_RUN" -gt 0 ]; then
  before=$(curl -s "$BASE/bench/stats/usage-writes")
  echo "   usage tracking: ${USAGE_RUN}s of load on one key"
  wrk -t1 -c16 -d"${USAGE_RUN}s" -H "X-API-Key: $KEY" "$BASE/bench/key" > /dev/null
  sleep $((FLUSH + 1))
  after=$(curl -s "$BASE/bench/stats/usage-writes")
  echo "### usage backend=$backend seconds=$USAGE_RUN window=$((USAGE_RUN + FLUSH + 1)) flush=$FLUSH writes=$((after - before))" >> "$RAW"
  fi
  kill "$PAYARA_PID"; wait "$PAYARA_PID" 2>/dev/null || true; PAYARA_PID=
done

if [ "$mode" = profile ]; then
  profile_floors
  python3 bench/profile_report.py "$RAW" bench/results > bench/results/profile.md
  cat bench/results/profile.md
  exit 0
fi
python3 bench/report.py "$RAW" > "bench/results/http-$mode.md"
cat "bench/results/http-$mode.md"

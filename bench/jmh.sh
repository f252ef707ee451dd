#!/usr/bin/env bash
# JMH benchmarks of the validation hot path (bench/src/main/java). Usage: bench/jmh.sh [quick|full] [JMH regex]
#   quick: about a minute and a half (1 fork, 1 s iterations); full: 2 forks, 5 x 2 s iterations, about 15 minutes.
# Needs PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) for BackendLookupBenchmark, like the tests.
# Output: bench/results/jmh-<mode>.txt (raw) and .json.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-quick}
filter=${2:-dev.apiauth}
case "$mode" in
  quick) args="-f 1 -wi 1 -w 1s -i 2 -r 1s" ;;
  full) args="-f 2 -wi 3 -w 2s -i 5 -r 2s" ;;
  *) echo "usage: bench/jmh.sh [quick|full] [regex]" >&2; exit 2 ;;
esac
mkdir -p bench/results
out="bench/results/jmh-$mode"
mvn -B -q -DskipTests -Dit.skip=true install   # the library and its test kit, into the local repository; no child build
mvn -B -q -f bench/pom.xml -Pjmh verify -Djmh.args="$args -rf json -rff $PWD/$out.json $filter" | tee "$out.txt"
echo "raw results: $out.txt, $out.json"

#!/bin/bash
# usage: web.sh <endpoint> <watch seconds> <runs> ; prints one line per run
LC=${LC:-$(git rev-parse --show-toplevel)/src/LeakAnalyzers.Tool/bin/Release/net10.0/LeakAnalyzers.Tool.dll}
WT=$(git rev-parse --show-toplevel)/bench/runtime/WebTarget/bin/Release/net10.0/WebTarget.dll
ep=$1; secs=$2; runs=$3
for i in $(seq 1 $runs); do
  port=$((5100 + RANDOM % 800))
  dotnet $WT --urls http://127.0.0.1:$port > /dev/null 2>&1 &
  web=$!
  for t in $(seq 1 100); do curl -s http://127.0.0.1:$port/ >/dev/null 2>&1 && break; sleep 0.1; done
  dotnet $WT load http://127.0.0.1:$port/$ep 200 $((secs + 6)) > ${OUT:-/tmp}/load.txt 2>&1 &
  load=$!
  sleep 1
  out=$(dotnet $LC watch --pid $web --duration ${secs}s 2>&1); code=$?
  kill $load 2>/dev/null; wait $load 2>/dev/null
  kill $web; wait $web 2>/dev/null
  heap=$(echo "$out" | grep "^Live heap:" | head -1)
  pause=$(echo "$out" | grep "Pause:" | head -1)
  echo "run $i exit $code | $heap | $pause"
done

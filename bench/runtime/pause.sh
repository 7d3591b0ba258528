#!/bin/bash
# usage: pause.sh <live MB> <leakcheck runs> <gcdump runs>
LC=${LC:-$(git rev-parse --show-toplevel)/src/LeakAnalyzers.Tool/bin/Release/net10.0/LeakAnalyzers.Tool.dll}
HT=$(git rev-parse --show-toplevel)/bench/runtime/HeapTarget/bin/Release/net10.0/HeapTarget.dll
T=${TOOLS:-/tmp/leakcheck-tools}
mb=$1
log=${OUT:-/tmp}/ht-$mb.log
dotnet $HT $mb > $log 2>&1 &
pid=$!
for t in $(seq 1 600); do grep -q ready $log && break; sleep 0.2; done
echo "target $(grep ready $log)"
sleep 2
for i in $(seq 1 $2); do
  before=$(wc -l < $log)
  dotnet $LC watch --pid $pid --duration 30s --interval 2s --verbose > ${OUT:-/tmp}/lc-$mb-$i.txt 2>&1; code=$?
  echo "leakcheck run $i exit $code: $(grep -c 'induced, target paused' ${OUT:-/tmp}/lc-$mb-$i.txt) induced; pauses: $(grep -o 'target paused [0-9]* ms' ${OUT:-/tmp}/lc-$mb-$i.txt | grep -o '[0-9]*' | tr '\n' ' ')"
  grep "Pause:" ${OUT:-/tmp}/lc-$mb-$i.txt
  echo "  target-seen gaps >=50ms during the watch: $(tail -n +$((before+1)) $log | grep '^gap' | awk '{print $2}' | tr '\n' ' ')"
done
for i in $(seq 1 $3); do
  before=$(wc -l < $log)
  s=$(date +%s.%N)
  $T/dotnet-gcdump collect -p $pid -o ${OUT:-/tmp}/d.gcdump > /dev/null 2>&1
  e=$(date +%s.%N)
  sleep 1
  echo "gcdump run $i: tool time $(echo "$e - $s" | bc) s; target-seen gaps: $(tail -n +$((before+1)) $log | grep '^gap' | awk '{print $2}' | tr '\n' ' ')"
  rm -f ${OUT:-/tmp}/d.gcdump
done
before=$(wc -l < $log)
$T/dotnet-counters collect -p $pid --duration 00:00:20 -o ${OUT:-/tmp}/c.csv > /dev/null 2>&1
echo "dotnet-counters collect 20 s: target-seen gaps: $(tail -n +$((before+1)) $log | grep '^gap' | awk '{print $2}' | tr '\n' ' ')"
before=$(wc -l < $log)
sleep 20
echo "nothing attached 20 s: target-seen gaps: $(tail -n +$((before+1)) $log | grep '^gap' | awk '{print $2}' | tr '\n' ' ')"
kill $pid; wait $pid 2>/dev/null

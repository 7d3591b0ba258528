#!/bin/bash
# usage: retention.sh check [seconds]          -> the seven targets: is the top growing type and its root right?
#        retention.sh pause <ballast MB> <runs> -> the target's pause and the total time per snapshot, leakcheck vs dotnet-gcdump, interleaved
# Build first: dotnet build -c Release in src/LeakAnalyzers.Tool, bench/runtime/RetentionTargets and bench/runtime/WebTarget;
# install dotnet-gcdump with: dotnet tool install dotnet-gcdump --tool-path /tmp/leakcheck-tools (never globally).
ROOT=$(git rev-parse --show-toplevel)
LC=${LC:-$ROOT/src/LeakAnalyzers.Tool/bin/Release/net10.0/LeakAnalyzers.Tool.dll}
RT=$ROOT/bench/runtime/RetentionTargets/bin/Release/net10.0/RetentionTargets.dll
WT=$ROOT/bench/runtime/WebTarget/bin/Release/net10.0/WebTarget.dll
TOOLS=${TOOLS:-/tmp/leakcheck-tools}
OUT=${OUT:-/tmp/retention-bench}
DUMPS=${DUMPS:-$OUT/dumps}
mkdir -p $OUT $DUMPS

# scenario | expected top type | expected root (text of the first path line) | expected holder/attribution
expect() {
  case $1 in
    list) echo "RetentionTargets.AuditEntry|static RetentionTargets.AuditLog.Entries (bench/runtime/RetentionTargets/Leaks.cs:";;
    cache) echo "RetentionTargets.Order|static RetentionTargets.OrderCache.s_orders (bench/runtime/RetentionTargets/Leaks.cs:";;
    event) echo "RetentionTargets.View|event RetentionTargets.Theme.Changed (bench/runtime/RetentionTargets/Leaks.cs:";;
    timer) echo "RetentionTargets.Poller|the timer queue (a Timer never disposed) → TimerQueueTimer";;
    gchandle) echo "RetentionTargets.NativeCallback|strong GCHandle → NativeCallback";;
    locator) echo "RetentionTargets.Session|static RetentionTargets.ServiceLocator.s_services (bench/runtime/RetentionTargets/Leaks.cs:";;
    web) echo "byte[]|static Store.History (bench/runtime/WebTarget/Program.cs:";;
  esac
}

check() {
  local secs=${1:-20}
  for s in list cache event timer gchandle locator web; do
    local out=$OUT/check-$s.txt
    if [ $s = web ]; then
      local port=$((5100 + RANDOM % 800))
      dotnet $WT --urls http://127.0.0.1:$port > /dev/null 2>&1 &
      local web=$!
      for t in $(seq 1 100); do curl -s http://127.0.0.1:$port/ >/dev/null 2>&1 && break; sleep 0.1; done
      dotnet $WT load http://127.0.0.1:$port/leak 200 $((secs + 10)) > /dev/null 2>&1 &
      local load=$!
      (cd $ROOT && dotnet $LC watch --pid $web --retention --dump-dir $DUMPS --duration ${secs}s --source bench/runtime/WebTarget) > $out 2>&1
      kill $load $web 2>/dev/null; wait $load $web 2>/dev/null
    else
      (cd $ROOT && dotnet $LC run --retention --dump-dir $DUMPS --duration ${secs}s --source bench/runtime/RetentionTargets -- dotnet $RT $s) > $out 2>&1
    fi
    local e=$(expect $s); local type=${e%%|*}; local root=${e#*|}
    local top=$(grep -A1 '^Who holds it' $out | tail -1 | sed 's/^  //; s/: +.*//')
    local path=$(grep -A2 '^Who holds it' $out | tail -1 | sed 's/^    //')
    local ok=FAIL
    [ "$top" = "$type" ] && [[ "$path" == "$root"* ]] && ok=PASS
    echo "$ok $s | top: $top | $(echo "$path" | cut -c1-200)"
    grep -A3 '^Who holds it' $out | tail -1 | sed 's/^ */    /'
    grep '^Snapshots:' $out | sed 's/^/    /'
    echo "    dumps left: $(ls $DUMPS | wc -l)"
  done
}

# CPU seconds of a process and its reaped children (createdump is the target's child): utime+stime+cutime+cstime.
cpu() { awk -v t=$(getconf CLK_TCK) '{ printf "%.2f", ($14 + $15 + $16 + $17) / t }' /proc/$1/stat; }

pause() {
  local mb=$1 runs=${2:-3}
  local log=$OUT/target-$mb.log
  dotnet $RT list --ballast $mb --rate 100 > $log 2>&1 &
  local pid=$!
  for t in $(seq 1 1800); do grep -q ready $log && break; sleep 0.2; done
  echo "target $(grep ready $log)"
  sleep 2
  for i in $(seq 1 $runs); do
    local before=$(wc -l < $log) c0=$(cpu $pid) load=$(cut -d' ' -f1 /proc/loadavg)
    # --max-pause 0: no induced collection, so the only pauses leakcheck causes are its two dumps.
    /usr/bin/time -f "%e %U %S" -o $OUT/lc-time dotnet $LC watch --pid $pid --retention --dump-dir $DUMPS --duration 20s --max-pause 0 > $OUT/lc-$mb-$i.txt 2>&1
    read wall user sys < <(tail -1 $OUT/lc-time)
    echo "leakcheck run $i (load $load): command ${wall} s wall, leakcheck CPU $(echo "$user + $sys" | bc) s, target+createdump CPU +$(echo "$(cpu $pid) - $c0" | bc) s"
    echo "  $(grep '^Snapshots:' $OUT/lc-$mb-$i.txt)"
    echo "  target-seen gaps >=50ms: $(tail -n +$((before+1)) $log | grep '^gap' | awk '{print $2}' | tr '\n' ' ')"
    echo "  top: $(grep -A2 '^Who holds it' $OUT/lc-$mb-$i.txt | tail -2 | tr -s ' ' | tr '\n' ' ' | cut -c1-200)"
    echo "  dumps left: $(ls $DUMPS | wc -l)"
    # Interleaved with leakcheck's runs, so that both see the same load on a shared machine.
    before=$(wc -l < $log) c0=$(cpu $pid) load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -f "%e %U %S" -o $OUT/gc-time $TOOLS/dotnet-gcdump collect -p $pid -o $OUT/d.gcdump > /dev/null 2>&1
    read wall user sys < <(tail -1 $OUT/gc-time)
    sleep 1
    echo "gcdump run $i (load $load): tool ${wall} s wall, tool CPU $(echo "$user + $sys" | bc) s, target CPU +$(echo "$(cpu $pid) - $c0" | bc) s, file $(du -k $OUT/d.gcdump | cut -f1) KB; target-seen gaps: $(tail -n +$((before+1)) $log | grep '^gap' | awk '{print $2}' | tr '\n' ' ')"
    rm -f $OUT/d.gcdump
  done
  kill $pid; wait $pid 2>/dev/null
}

"$@"

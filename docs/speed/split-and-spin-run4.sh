#!/usr/bin/env bash
# Under six busy loops: passive with no spin, GOMP_SPINCOUNT=5000 and 20000 (runner2, e818918).
out=/work/runs/split-load
one() { # label dir env...
  local label=$1 dir=$2; shift 2
  local t0=$(date +%s)
  (cd $dir && timeout 300 env "$@" ./gradroute bench train --no-python --models mnist,tinystories --rounds 1 --long-steps 0 --out $out/$label.json > $out/$label.log 2>&1)
  echo "$label rc=$? $(( $(date +%s) - t0 )) s load $(cut -d' ' -f1 /proc/loadavg)"
  grep -E "^(mnist|tinystories) " $out/$label.log | awk '{print "   ", $1, $2, $3}'
}
A=/work/wt/runner2
pids=(); for i in 1 2 3 4 5 6; do (while :; do :; done) & pids+=($!); done
sleep 5
one l4-split $A X=1
one l4-split-p5e3 $A GOMP_SPINCOUNT=5000
one l4-split-p2e4 $A GOMP_SPINCOUNT=20000
one l4-split-p5e3b $A GOMP_SPINCOUNT=5000
one l4-splitb $A X=1
kill "${pids[@]}"

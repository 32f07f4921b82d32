#!/usr/bin/env bash
# GOMP_SPINCOUNT with OMP_WAIT_POLICY=passive kept (runner2, c730fc4): quiet, then under six busy loops.
out=/work/runs/split-load
one() { # label dir env...
  local label=$1 dir=$2; shift 2
  local t0=$(date +%s)
  (cd $dir && timeout 300 env "$@" ./gradroute bench train --no-python --models mnist,tinystories --rounds 1 --long-steps 0 --out $out/$label.json > $out/$label.log 2>&1)
  echo "$label rc=$? $(( $(date +%s) - t0 )) s load $(cut -d' ' -f1 /proc/loadavg)"
  grep -E "^(mnist|tinystories) " $out/$label.log | awk '{print "   ", $1, $2, $3}'
}
A=/work/wt/runner2
one q3-split-p2e4 $A GOMP_SPINCOUNT=20000
one q3-split-p5e3 $A GOMP_SPINCOUNT=5000
one q3-split-p5e4 $A GOMP_SPINCOUNT=50000
one q3-split $A X=1
one q4-split-p5e4 $A GOMP_SPINCOUNT=50000
one q4-split-p5e3 $A GOMP_SPINCOUNT=5000
one q4-split-p2e4 $A GOMP_SPINCOUNT=20000
pids=(); for i in 1 2 3 4 5 6; do (while :; do :; done) & pids+=($!); done
sleep 5
one l3-split-p2e4 $A GOMP_SPINCOUNT=20000
one l3-split-p5e4 $A GOMP_SPINCOUNT=50000
one l3-split $A X=1
kill "${pids[@]}"

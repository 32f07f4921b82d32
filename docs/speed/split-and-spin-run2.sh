#!/usr/bin/env bash
# Split products (runner2, c730fc4) against unsplit (runner, 12aabab), and OpenMP spin counts, quiet and under six busy loops.
out=/work/runs/split-load
one() { # label dir env...
  local label=$1 dir=$2; shift 2
  local t0=$(date +%s)
  (cd $dir && timeout 300 env "$@" ./gradroute bench train --no-python --models mnist,tinystories --rounds 1 --long-steps 0 --out $out/$label.json > $out/$label.log 2>&1)
  echo "$label rc=$? $(( $(date +%s) - t0 )) s load $(cut -d' ' -f1 /proc/loadavg)"
  grep -E "^(mnist|tinystories) " $out/$label.log | awk '{print "   ", $1, $2, $3}'
}
B=/work/wt/runner; A=/work/wt/runner2
S1="OMP_WAIT_POLICY=active GOMP_SPINCOUNT=20000"; S2="OMP_WAIT_POLICY=active GOMP_SPINCOUNT=200000"
one q1-before $B X=1
one q1-split $A X=1
one q1-split-spin2e4 $A $S1
one q1-split-spin2e5 $A $S2
one q2-split-spin2e5 $A $S2
one q2-split-spin2e4 $A $S1
one q2-split $A X=1
one q2-before $B X=1
pids=(); for i in 1 2 3 4 5 6; do (while :; do :; done) & pids+=($!); done
sleep 5
one l-before $B X=1
one l-split $A X=1
one l-split-spin2e4 $A $S1
one l-split-spin2e5 $A $S2
one l-before2 $B X=1
one l-split2 $A X=1
kill "${pids[@]}"

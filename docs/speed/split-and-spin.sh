#!/usr/bin/env bash
# The runs behind spin-count.md: ./split-and-spin.sh 2|3|4 (run 2: 12aabab in /work/wt/runner against
# c730fc4 in /work/wt/runner2; runs 3 and 4: c730fc4 and e818918 in /work/wt/runner2).
# The "X=1" rows ran without GOMP_SPINCOUNT, which the launcher did not set then; the launcher now sets
# 5000, so to repeat them pass GOMP_SPINCOUNT=0 instead of X=1.
out=/work/runs/split-load
one() { # label dir env...
  local label=$1 dir=$2; shift 2
  local t0=$(date +%s)
  (cd $dir && timeout 300 env "$@" ./gradroute bench train --no-python --models mnist,tinystories --rounds 1 --long-steps 0 --out $out/$label.json > $out/$label.log 2>&1)
  echo "$label rc=$? $(( $(date +%s) - t0 )) s load $(cut -d' ' -f1 /proc/loadavg)"
  grep -E "^(mnist|tinystories) " $out/$label.log | awk '{print "   ", $1, $2, $3}'
}
case "$1" in
2)  # Split products (runner2, c730fc4) against unsplit (runner, 12aabab), and OpenMP spin counts, quiet and under six busy loops.
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
  ;;
3)  # GOMP_SPINCOUNT with OMP_WAIT_POLICY=passive kept (runner2, c730fc4): quiet, then under six busy loops.
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
  ;;
4)  # Under six busy loops: passive with no spin, GOMP_SPINCOUNT=5000 and 20000 (runner2, e818918).
  A=/work/wt/runner2
  pids=(); for i in 1 2 3 4 5 6; do (while :; do :; done) & pids+=($!); done
  sleep 5
  one l4-split $A X=1
  one l4-split-p5e3 $A GOMP_SPINCOUNT=5000
  one l4-split-p2e4 $A GOMP_SPINCOUNT=20000
  one l4-split-p5e3b $A GOMP_SPINCOUNT=5000
  one l4-splitb $A X=1
  kill "${pids[@]}"
  ;;
*) echo "usage: $0 2|3|4" >&2; exit 2 ;;
esac

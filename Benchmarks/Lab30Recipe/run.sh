#!/bin/sh
# Lab 30's learning-rate sweep: trains lab 30's model once per learning rate given (default 2e-3 3e-3) for the
# default 1,500 steps and prints the validation loss every 250 steps (stdout is buffered: it appears at the end of
# each run). About 7 minutes per rate on two idle cores, much longer on a busy machine.
#   swift build -c release && Benchmarks/Lab30Recipe/run.sh 1e-3 2e-3 3e-3
# Measured 2026-12-01 (AMD EPYC, 2 cores): at step 1500 1e-3 -> 1.6054 (idle), 2e-3 -> 1.5825, 3e-3 -> 1.6034
# (load 8-13; the loss does not depend on the load).
cd "$(dirname "$0")/../.." || exit 1
labrun=${LABRUN:-.build/release/labrun}
[ $# -gt 0 ] || set -- 2e-3 3e-3
for lr in "$@"; do
    echo "== learning rate $lr"
    "$labrun" run Benchmarks/Lab30Recipe/recipe.md --set lr="$lr" ${STEPS:+--set steps=$STEPS} \
        --report "${TMPDIR:-/tmp}/lab30-recipe-$lr.html" | grep -E '^(step|total|PASS|FAIL)'
done

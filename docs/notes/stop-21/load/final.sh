#!/usr/bin/env bash
# h16t's final idle runs (each under flock /work/bench.lock through run.sh)
R=/work/notes/load-h16t/run.sh
$R after-think0 /work/main LOAD_THINK=0
$R before-think0 /work/wt/h16t-before LOAD_THINK=0
$R after-think4-ramp2 /work/main LOAD_THINK=4 LOAD_SPAWN_RATE=2

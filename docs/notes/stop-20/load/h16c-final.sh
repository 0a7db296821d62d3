#!/usr/bin/env bash
while [ "$(date -u +%H%M)" -lt 2040 ]; do sleep 5; done
R=/work/notes/load-h16c/run.sh
$R final-think4-ramp2 /work/main LOAD_THINK=4 LOAD_SPAWN_RATE=2
$R final-think0 /work/main LOAD_THINK=0
$R final-think0-sync-onepool /work/main LOAD_THINK=0 MATTRAN_WEB_THREADS=1 LOAD_WRITE_WORKERS=0
$R final-think4-burst /work/main LOAD_THINK=4

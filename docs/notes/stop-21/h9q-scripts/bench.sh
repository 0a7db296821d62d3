#!/bin/bash
# usage: bench.sh OUTFILE args...
out=$1; shift
cd /work/wt/h9q
{ echo "start $(date -u) $(uptime)"; 
flock /work/bench.lock bash -c "echo got lock \$(date -u) \$(uptime); MATTRAN_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/h9q_bench MATTRAN_DATA_DIR=/tmp/h9q-data MATTRAN_REDIS_URL=redis://127.0.0.1:6379/2 .venv/bin/python -u benchmarks/funds_import.py $* ; echo end \$(date -u) \$(uptime)"; } > $out 2>&1

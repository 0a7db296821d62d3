#!/usr/bin/env bash
# /tmp/h16t-ab.sh ROUNDS N TYPES: interleaved test-client CPU per type, main vs h16t; min per type
source /tmp/h16t-prodenv.sh
for i in $(seq $1); do
  for r in /work/main /work/wt/h16t; do
    PYTHONPATH=$r/src nice -n 5 $r/.venv/bin/python /tmp/h16t-phase.py $3 $2 | sed "s|^|$(basename $r) |"
  done
done | tee /tmp/h16t-ab.out | awk '{k=$1" "$2; v=$4; if(!(k in m)||v<m[k])m[k]=v; s[k]=$0} END{for(k in m) printf "%-18s min total %6.2f ms\n", k, m[k]}' | sort -k2,2 -k1,1

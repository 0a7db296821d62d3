#!/usr/bin/env bash
# /tmp/h16t-bench.sh LABEL "TYPES" [gunicorn env...]: start gunicorn (prof DB), bench each type, stop.
label=$1; types=$2; shift 2
cd ${REPO:-/work/wt/h16t} && source /tmp/h16t-prodenv.sh
export PYTHONPATH=$PWD/src
export MATTRAN_BIND=127.0.0.1:8173 MATTRAN_ACCESS_LOG=/tmp/h16t-access.log MATTRAN_LOG_LEVEL=warning
env "$@" /work/wt/h16t/.venv/bin/gunicorn -c deploy/gunicorn.conf.py > /tmp/h16t-gunicorn.log 2>&1 &
G=$!
for _ in $(seq 60); do curl -sf -o /dev/null http://127.0.0.1:8173/suc-khoe/ && break; sleep 0.5; done
echo "== $label $(date -u +%T) $(uptime | sed 's/.*load/load/') $* $(git log --oneline -1 | cut -c1-60)"
for t in $types; do
  /work/wt/h16t/.venv/bin/python /work/wt/h16t/benchmarks/bench_http.py /tmp/h16t-seed.json --host http://127.0.0.1:8173 \
    --type $t -c ${C:-8} -t ${T:-15} --gunicorn-pid $G --database-url $MATTRAN_DATABASE_URL
done
echo "== end $(date -u +%T) $(uptime | sed 's/.*load/load/')"
kill -TERM $G; wait $G

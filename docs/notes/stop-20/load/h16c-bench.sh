#!/usr/bin/env bash
# /tmp/h16c-bench.sh LABEL "TYPES" [gunicorn env...]: start gunicorn (prof DB), bench each type, stop.
label=$1; types=$2; shift 2
cd /work/wt/h16c && source /tmp/h16c-prodenv.sh
export MATTRAN_BIND=127.0.0.1:8163 MATTRAN_ACCESS_LOG=/tmp/h16c-access.log MATTRAN_LOG_LEVEL=warning
env "$@" .venv/bin/gunicorn -c deploy/gunicorn.conf.py > /tmp/h16c-gunicorn.log 2>&1 &
G=$!
for _ in $(seq 60); do curl -sf -o /dev/null http://127.0.0.1:8163/suc-khoe/ && break; sleep 0.5; done
echo "== $label $(date -u +%T) $(uptime | sed 's/.*load/load/') $*"
for t in $types; do
  .venv/bin/python benchmarks/bench_http.py /tmp/h16c-seed.json --host http://127.0.0.1:8163 \
    --type $t -c ${C:-8} -t ${T:-15} --gunicorn-pid $G --database-url $MATTRAN_DATABASE_URL
done
echo "== end $(date -u +%T) $(uptime | sed 's/.*load/load/')"
kill -TERM $G; wait $G

#!/usr/bin/env bash
# Start mattran as in production on one machine: gunicorn (several worker
# processes) + job worker(s), against PostgreSQL and Redis given in the
# environment (see deploy/production.env.example and docs/production.md).
#
#   MATTRAN_ENV_FILE=/etc/mattran/mattran.env scripts/run-prod.sh
#
# Ctrl-C (or SIGTERM) stops gunicorn and the workers together.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${MATTRAN_ENV_FILE:-}" ]; then
  set -a
  # shellcheck disable=SC1090
  . "$MATTRAN_ENV_FILE"
  set +a
fi
BIN="${MATTRAN_BIN:-$PWD/.venv/bin}"
JOB_WORKERS="${MATTRAN_JOB_WORKERS:-2}"

if [ "${MATTRAN_DEBUG:-0}" != "0" ]; then
  echo "MATTRAN_DEBUG phải là 0 khi chạy như môi trường thật (xem deploy/production.env.example)." >&2
  exit 2
fi

"$BIN/mattran" migrate --noinput
"$BIN/mattran" collectstatic --noinput --verbosity 0
"$BIN/mattran" check --deploy --fail-level WARNING

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
}
trap stop INT TERM EXIT

for i in $(seq 1 "$JOB_WORKERS"); do
  "$BIN/mattran" worker --name "worker-$(hostname)-$i" &
  pids+=($!)
done
"$BIN/gunicorn" -c deploy/gunicorn.conf.py &
pids+=($!)

# Stop everything as soon as any process dies, so a supervisor can restart the set.
wait -n
echo "Một tiến trình đã dừng; dừng tất cả." >&2
exit 1

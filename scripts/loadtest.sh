#!/usr/bin/env bash
# The load test, in one command (`make load`): the busiest hour of the year
# against a production-configured mattran on loopback, then proof that no write
# was lost or doubled. See loadtest/locustfile.py for the scenario.
#
#   scripts/loadtest.sh                      # defaults below
#   LOAD_USERS=200 LOAD_DURATION=300s scripts/loadtest.sh
#   LOAD_THINK=4 LOAD_DURATION=600s scripts/loadtest.sh   # same people, longer pauses
#   LOAD_TEMPLATE_DATABASE=mattran_load_demo scripts/loadtest.sh   # copy a database with
#       the demo already loaded (CREATE DATABASE ... TEMPLATE) instead of loading it again
#   LOAD_THINK=0 LOAD_DRIVER_NICE=5 scripts/loadtest.sh   # no pauses: the server's capacity
#   LOAD_LOGIN_WORKERS=2 LOAD_LOGIN_NICE=10 scripts/loadtest.sh   # sign-ins on their own pool
#   LOAD_STATIC_FROM=loadtest/out/data/staticfiles   # reuse collected static files
#   LOAD_WRITE_WORKERS=0 scripts/loadtest.sh   # one pool: without the writes pool that
#       serves forms and the page confirming each, as nginx routes them (docs/production.md)
#   LOAD_SPAWN_RATE=2 scripts/loadtest.sh   # users arrive over 85 s, not 11 (docs/capacity.md)
#
# Needs PostgreSQL and Redis on this machine. It (re)creates the scratch database
# LOAD_DATABASE_URL (never point it at real data), loads the demo (Hà Nội: the
# 2025-07 structure has the city and 126 wards), seeds one editor per ward and
# four city approvers (loadtest/seed.py), starts gunicorn with
# deploy/gunicorn.conf.py and the documented production environment (DEBUG off,
# Redis cache and queue, persistent connections) except that it serves plain
# HTTP on 127.0.0.1 (no TLS proxy on loopback), has two-factor authentication
# off for the load accounts and a public rate limit high enough for thousands
# of "donors" who all come from 127.0.0.1. Locust runs headless for
# LOAD_DURATION, then loadtest/verify.py prints the figures and checks the
# database. Results: $LOAD_OUT (default loadtest/out/).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

BIN="${MATTRAN_BIN:-$REPO/.venv/bin}"
PY="$BIN/python"
DB_URL="${LOAD_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/mattran_load}"
REDIS_URL="${LOAD_REDIS_URL:-redis://127.0.0.1:6379/14}"
PORT="${LOAD_PORT:-8097}"
USERS="${LOAD_USERS:-170}"          # 126 ward editors + 4 approvers + the rest public
SPAWN="${LOAD_SPAWN_RATE:-15}"
DURATION="${LOAD_DURATION:-180s}"
OUT="${LOAD_OUT:-$REPO/loadtest/out}"
PERIOD="${LOAD_PERIOD:-2025-Q4}"
# A separate pool of workers for signing in (docs/capacity.md): LOAD_LOGIN_WORKERS
# gunicorn workers on port PORT+1, at nice LOAD_LOGIN_NICE, serve /dang-nhap/
# (the driver sends sign-ins there, as nginx would route them); 0 = one pool.
LOGIN_WORKERS="${LOAD_LOGIN_WORKERS:-0}"
LOGIN_PORT=$((PORT + 1))
# The writes pool (docs/production.md, "Writes first"): LOAD_WRITE_WORKERS workers on
# port PORT+2 serve every form the driver sends and the page that confirms it (the
# redirect after the write carries the "messages" cookie nginx routes by); 0 = none.
# Default 2, as in production (deploy/systemd/mattran-web-writes.service).
WRITE_WORKERS="${LOAD_WRITE_WORKERS:-2}"
WRITE_PORT=$((PORT + 2))
# The pages' pool at a lower CPU priority (LOAD_PAGES_NICE=5, systemd's Nice=5 on
# mattran-web): when a write is waiting for a core, the scheduler gives it first.
PAGES_NICE="${LOAD_PAGES_NICE:-0}"

mkdir -p "$OUT"
rm -f "$OUT"/pg_cpu.txt "$OUT"/locust_*.csv "$OUT"/driver.json "$OUT"/stats.json "$OUT"/access*.log "$OUT"/profile.jsonl \
  "$OUT"/profile-login-burst.jsonl "$OUT"/login_burst.json
export PYTHONPATH="$REPO/src${PYTHONPATH:+:$PYTHONPATH}"
export DJANGO_SETTINGS_MODULE=mattran.settings
export MATTRAN_DEBUG=0
MATTRAN_SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')"
export MATTRAN_SECRET_KEY
export MATTRAN_ALLOWED_HOSTS=127.0.0.1,localhost
export MATTRAN_CSRF_TRUSTED_ORIGINS="http://127.0.0.1:$PORT,http://127.0.0.1:$LOGIN_PORT,http://127.0.0.1:$WRITE_PORT"
export MATTRAN_DATABASE_URL="$DB_URL"
export MATTRAN_DB_CONN_MAX_AGE=60
export MATTRAN_DATA_DIR="$OUT/data"
export MATTRAN_REDIS_URL="$REDIS_URL"
export MATTRAN_TASK_BACKEND=rq
export MATTRAN_BIND="127.0.0.1:$PORT"
export MATTRAN_ACCESS_LOG="$OUT/access.log"
# Where each request's time goes (core/profiling.py); summarised after the run.
export MATTRAN_PROFILE_FILE="${LOAD_PROFILE:-$OUT/profile.jsonl}"
export MATTRAN_LOG_LEVEL=warning
# Loopback only: plain HTTP, cookies without the Secure flag.
export MATTRAN_SSL_REDIRECT=0 MATTRAN_SECURE_COOKIES=0 MATTRAN_PROXY_SSL_HEADER=0
# Load accounts sign in with a password; every simulated donor shares 127.0.0.1.
export MATTRAN_REQUIRE_2FA=0 MATTRAN_PUBLIC_RATE=1000000/m

echo "== Cơ sở dữ liệu thử tải: ${DB_URL%%\?*}"
if [ "${LOAD_KEEP_DB:-0}" != "1" ]; then
  "$PY" - "$DB_URL" "$REDIS_URL" "${LOAD_TEMPLATE_DATABASE:-}" <<'EOF'
import sys
from urllib.parse import urlparse

import psycopg
import redis

url = urlparse(sys.argv[1])
name = url.path.lstrip("/")
template = sys.argv[3]
admin = url._replace(path="/postgres").geturl()
with psycopg.connect(admin, autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    # A copy of a database prepared beforehand (the demo loaded), else an empty one.
    conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
redis.Redis.from_url(sys.argv[2]).flushdb()
EOF
  "$PY" -m mattran.cli migrate --noinput -v0
  if [ -z "${LOAD_TEMPLATE_DATABASE:-}" ]; then
    "$PY" -m mattran.cli load_demo >/dev/null
  fi
fi
"$PY" loadtest/seed.py "$OUT/seed.json" --period "$PERIOD"
if [ -n "${LOAD_STATIC_FROM:-}" ]; then
  # The static files of an earlier run of the same code (a few minutes of
  # compression saved on a busy machine): LOAD_STATIC_FROM=<earlier OUT>/data/staticfiles
  mkdir -p "$MATTRAN_DATA_DIR"
  rm -rf "$MATTRAN_DATA_DIR/staticfiles"
  cp -al "$LOAD_STATIC_FROM" "$MATTRAN_DATA_DIR/staticfiles"
else
  "$PY" -m mattran.cli collectstatic --noinput -v0
fi

echo "== gunicorn (deploy/gunicorn.conf.py) trên 127.0.0.1:$PORT (nice $PAGES_NICE)"
nice -n "$PAGES_NICE" "$BIN/gunicorn" -c deploy/gunicorn.conf.py >"$OUT/gunicorn.log" 2>&1 &
GUNICORN=$!
LOGIN_GUNICORN=""
LOGIN_HOST="http://127.0.0.1:$PORT"
if [ "$LOGIN_WORKERS" -gt 0 ]; then
  echo "== gunicorn đăng nhập: $LOGIN_WORKERS tiến trình trên 127.0.0.1:$LOGIN_PORT (nice ${LOAD_LOGIN_NICE:-0})"
  MATTRAN_BIND="127.0.0.1:$LOGIN_PORT" MATTRAN_WEB_WORKERS="$LOGIN_WORKERS" \
    nice -n "${LOAD_LOGIN_NICE:-0}" "$BIN/gunicorn" -c deploy/gunicorn.conf.py \
    >"$OUT/gunicorn-login.log" 2>&1 &
  LOGIN_GUNICORN=$!
  LOGIN_HOST="http://127.0.0.1:$LOGIN_PORT"
fi
WRITE_GUNICORN=""
WRITE_HOST=""
if [ "$WRITE_WORKERS" -gt 0 ]; then
  echo "== gunicorn ghi: $WRITE_WORKERS tiến trình trên 127.0.0.1:$WRITE_PORT"
  MATTRAN_BIND="127.0.0.1:$WRITE_PORT" MATTRAN_WEB_WORKERS="$WRITE_WORKERS" \
    MATTRAN_ACCESS_LOG="$OUT/access-write.log" "$BIN/gunicorn" -c deploy/gunicorn.conf.py >"$OUT/gunicorn-write.log" 2>&1 &
  WRITE_GUNICORN=$!
  WRITE_HOST="http://127.0.0.1:$WRITE_PORT"
fi
trap 'kill -TERM $GUNICORN $LOGIN_GUNICORN $WRITE_GUNICORN ${PG_WATCH:-} 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for port in $PORT ${LOGIN_GUNICORN:+$LOGIN_PORT} ${WRITE_GUNICORN:+$WRITE_PORT}; do
  for _ in $(seq 1 120); do
    if "$PY" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/suc-khoe/', timeout=2)" 2>/dev/null; then
      break
    fi
    sleep 0.5
  done
  "$PY" -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$port/suc-khoe/', timeout=5).read().decode())"
done

if [ "${LOAD_LOGIN_BURST:-1}" = "1" ]; then
  echo "== đăng nhập đồng loạt của mọi tài khoản"
  "$PY" loadtest/login_burst.py "$OUT/seed.json" --host "$LOGIN_HOST" \
    --out "$OUT/login_burst.json" || echo "!! có lần đăng nhập thất bại"
  # The burst's profile lines are not the busiest hour's: keep them apart.
  if [ -s "$MATTRAN_PROFILE_FILE" ]; then mv "$MATTRAN_PROFILE_FILE" "$OUT/profile-login-burst.jsonl"; fi
fi

echo "== locust: $USERS người dùng, $DURATION (LOAD_THINK=${LOAD_THINK:-1})"
APP_CPU0=$("$PY" scripts/load_cpu.py "$GUNICORN,$LOGIN_GUNICORN,$WRITE_GUNICORN")
"$PY" scripts/load_cpu.py --watch "$DB_URL" "$OUT/pg_cpu.txt" &
PG_WATCH=$!
# The driver shares the machine: its own CPU is measured (and it may be niced,
# LOAD_DRIVER_NICE) so the capacity figure can be told apart from the driver's.
LOAD_SEED="$OUT/seed.json" LOAD_OUT="$OUT" LOAD_LOGIN_HOST="$LOGIN_HOST" LOAD_WRITE_HOST="$WRITE_HOST" /usr/bin/time -f "%U %S" -o "$OUT/locust.time" \
  nice -n "${LOAD_DRIVER_NICE:-0}" "$BIN/locust" -f loadtest/locustfile.py \
  --headless --host "http://127.0.0.1:$PORT" -u "$USERS" -r "$SPAWN" -t "$DURATION" \
  --stop-timeout 120 --csv "$OUT/locust" --only-summary --loglevel WARNING \
  >"$OUT/locust.log" 2>&1 || true
APP_CPU1=$("$PY" scripts/load_cpu.py "$GUNICORN,$LOGIN_GUNICORN,$WRITE_GUNICORN")
kill $PG_WATCH 2>/dev/null || true
tail -n 40 "$OUT/locust.log"
"$PY" scripts/load_cpu.py --report "$OUT" "$APP_CPU0" "$APP_CPU1" "$OUT/pg_cpu.txt" | tee "$OUT/cpu.txt"

kill -TERM $GUNICORN $LOGIN_GUNICORN $WRITE_GUNICORN 2>/dev/null || true
wait $GUNICORN $LOGIN_GUNICORN $WRITE_GUNICORN 2>/dev/null || true
trap - EXIT
echo "== gunicorn: $(cat "$OUT"/access*.log | grep -c '" 5[0-9][0-9] ' || true) phản hồi lỗi 5xx trong nhật ký truy cập"
if [ -n "$WRITE_GUNICORN" ]; then
  echo "== nhóm ghi: $(grep -c '"POST ' "$OUT/access-write.log" || true) lần gửi biểu mẫu, $(grep -c '"GET ' "$OUT/access-write.log" || true) trang xác nhận"
fi

if [ -s "$MATTRAN_PROFILE_FILE" ]; then
  "$PY" scripts/load_profile.py "$MATTRAN_PROFILE_FILE" --stats "$OUT/stats.json" | tee "$OUT/profile.md"
fi
"$PY" loadtest/verify.py --seed "$OUT/seed.json" --driver "$OUT/driver.json" \
  --stats "$OUT/stats.json"

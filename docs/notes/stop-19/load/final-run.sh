#!/usr/bin/env bash
# Integrator's idle-machine load runs on main: run.sh NAME [VAR=value ...]
name=$1; shift
out=/work/notes/load-final/$name
mkdir -p "$out"
{
  flock /work/bench.lock bash -c '
    echo "== start $(date -u +%T) $(uptime)"; git -C /work/main log --oneline -1
    env MATTRAN_BIN=/work/main/.venv/bin LOAD_OUT="$0" \
      LOAD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/h16_load \
      LOAD_REDIS_URL=redis://127.0.0.1:6379/7 LOAD_PORT=8116 \
      LOAD_TEMPLATE_DATABASE=h16_load_tpl LOAD_DURATION=${LOAD_DURATION:-120s} "${@:1}" \
      bash /work/main/scripts/loadtest.sh
    echo "== end $(date -u +%T) $(uptime)"' "$out" "$@"
} > "$out.log" 2>&1

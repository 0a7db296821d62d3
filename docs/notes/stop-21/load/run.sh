#!/usr/bin/env bash
# h16t's load runs: run.sh NAME REPO [VAR=value ...]  (REPO: /work/main or a worktree)
name=$1; repo=$2; shift 2
out=/work/notes/load-h16t/$name
mkdir -p "$out"
{
  flock /work/bench.lock bash -c '
    echo "== start $(date -u +%T) $(uptime)"; git -C "$1" log --oneline -1
    env MATTRAN_BIN=/work/wt/h16t/.venv/bin LOAD_OUT="$0" \
      LOAD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/h16t_load \
      LOAD_REDIS_URL=redis://127.0.0.1:6379/3 LOAD_PORT=8180 \
      LOAD_TEMPLATE_DATABASE=h16t_load_tpl LOAD_STATIC_FROM=/tmp/h16t-data/staticfiles \
      LOAD_DURATION=${LOAD_DURATION:-120s} "${@:2}" \
      bash "$1/scripts/loadtest.sh"
    echo "== end $(date -u +%T) $(uptime)"' "$out" "$repo" "$@"
} > "$out.log" 2>&1

#!/bin/sh
# Scale-out on Prefect workers: a Prefect server on PostgreSQL (127.0.0.1:5432, its own databases), a
# process work pool, two workers, the hub deployed for 20 sandbox workspaces, all triggered at once;
# checks every run completed, nothing duplicated and the rate budgets held; prints the figures;
# cleans up. Options: see bench/scale_out/run.py (--workspaces, --workers, --limit, --dry-run, --keep).
#
#     bench/scale_out.sh [--workspaces 20] [--dry-run]
set -eu
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || make .venv/.installed-test
export PREFECT_SERVER_ANALYTICS_ENABLED="${PREFECT_SERVER_ANALYTICS_ENABLED:-false}"
exec .venv/bin/python bench/scale_out/run.py "$@"

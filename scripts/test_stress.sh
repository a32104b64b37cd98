#!/usr/bin/env bash
# make test-stress: prove the suite does not flake under load. Three full runs while `stress-ng --cpu 2` keeps both
# cores busy, then a fourth, still under load, in random order (pytest -p randomly; its seed is printed so a
# failing order can be replayed with -p randomly --randomly-seed=<seed>). Exits non-zero if any run failed.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON_BIN=${PYTHON_BIN:-.venv/bin/python}
if ! command -v stress-ng >/dev/null; then
  echo "stress-ng is needed for this target: apt-get install -y stress-ng" >&2
  exit 2
fi
stress-ng --cpu 2 --timeout 4h --quiet &
stress_pid=$!
trap 'kill "$stress_pid" 2>/dev/null; wait "$stress_pid" 2>/dev/null' EXIT
passed=0
results=()
for run in 1 2 3 4; do
  if [ "$run" -eq 4 ]; then order=(-p randomly); label="random order"; else order=(); label="file order"; fi
  echo "=== stressed full-suite run $run of 4 ($label) ==="
  started=$(date +%s)
  if "$PYTHON_BIN" -m pytest -p no:cacheprovider "${order[@]}" "$@"; then
    passed=$((passed + 1)); results+=("run $run ($label): passed in $(( $(date +%s) - started )) s")
  else
    results+=("run $run ($label): FAILED after $(( $(date +%s) - started )) s")
  fi
done
echo "=== test-stress summary ==="
printf '%s\n' "${results[@]}"
echo "$passed of 4 stressed full-suite runs passed"
[ "$passed" -eq 4 ]

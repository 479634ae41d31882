#!/usr/bin/env bash
# Install what the tests need, then run the whole suite on SQLite and on PostgreSQL.
#   scripts/test.sh                       both databases, side by side (one pytest each)
#   OPC_TEST_DBS=sqlite scripts/test.sh   one database
#   OPC_TEST_SERIAL=1 scripts/test.sh     both, one after the other (output as it comes)
#   scripts/test.sh -k login              extra arguments go to pytest
# PostgreSQL: OPC_TEST_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres);
# the tests create a database with a fresh name and drop it afterwards.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test || exit 1

out=${OPC_TEST_OUTPUT:-test-output}
# A relative path is taken from the repository root; an absolute one is kept as it is.
case $out in /*) ;; *) out="$PWD/$out";; esac
mkdir -p "$out"

backends=()
for backend in ${OPC_TEST_DBS:-sqlite postgresql}; do
  if [ "$backend" = postgresql ] && [ -z "${CI:-}" ] && ! .venv/bin/python - <<'PY'
import os, sys, sqlalchemy as sa
url = os.environ.get("OPC_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
try:
    sa.create_engine(url, connect_args={"connect_timeout": 3}).connect().close()
except Exception as exc:
    print(f"PostgreSQL not reachable ({exc.__class__.__name__}): skipping the PostgreSQL run. "
          "Set OPC_TEST_PG_URL to run it.", file=sys.stderr)
    sys.exit(1)
PY
  then
    continue
  fi
  backends+=("$backend")
done

# One run: its screenshots and files under $out/<backend>/, its JUnit report beside them.
run() {
  OPC_TEST_DB=$1 OPC_TEST_OUTPUT="$out/$1" .venv/bin/python -m pytest -p no:cacheprovider \
    --junitxml="$out/junit-$1.xml" "${@:2}"
}

status=0
if [ ${#backends[@]} -gt 1 ] && [ -z "${OPC_TEST_SERIAL:-}" ]; then
  # The two databases' runs share nothing (each has its own database and files), so they run
  # side by side: on two cores that takes about as long as the slower one alone. Each run's
  # output is kept in a log and shown whole when it ends.
  declare -A pids
  for backend in "${backends[@]}"; do
    echo "=== OPC Ops tests on $backend: started (log: $out/pytest-$backend.log) ==="
    run "$backend" "$@" > "$out/pytest-$backend.log" 2>&1 &
    pids[$backend]=$!
  done
  for backend in "${backends[@]}"; do
    wait "${pids[$backend]}"; rc=$?
    echo "=== OPC Ops tests on $backend ==="
    cat "$out/pytest-$backend.log"
    [ $rc -ne 0 ] && status=$rc
  done
else
  for backend in "${backends[@]}"; do
    echo "=== OPC Ops tests on $backend ==="
    run "$backend" "$@"; rc=$?
    [ $rc -ne 0 ] && status=$rc
  done
fi

.venv/bin/python - "$out" "${backends[@]}" <<'PY'
import sys, xml.etree.ElementTree as ET
out, backends = sys.argv[1], sys.argv[2:]
totals = {"passed": 0, "failed": 0, "skipped": 0}
for b in backends:
    try:
        suite = ET.parse(f"{out}/junit-{b}.xml").getroot().find("testsuite")
    except (OSError, ET.ParseError):
        print(f"{b}: no report (the run did not finish)")
        continue
    tests, fail = int(suite.get("tests")), int(suite.get("failures")) + int(suite.get("errors"))
    skip = int(suite.get("skipped"))
    print(f"{b}: {tests - fail - skip} passed, {fail} failed, {skip} skipped")
    totals["passed"] += tests - fail - skip; totals["failed"] += fail; totals["skipped"] += skip
print(f"all: {totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped")
PY
exit $status

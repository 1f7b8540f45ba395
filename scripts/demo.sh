#!/usr/bin/env bash
# `make demo`: a fresh lake under ./data, generated traffic, then the DAGs end to end with
# `airflow dags test` on the embedded defaults, and a summary a person can read.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
AIRFLOW=.venv/bin/airflow
export UG_ENV="${UG_ENV:-development}"  # the demo lake is local and keyed with the development key
export UG_DATA_ROOT="${UG_DATA_ROOT:-$PWD/data}"
UTTERANCES="${DEMO_UTTERANCES:-20000}"
export UG_TASK_RETRIES="${UG_TASK_RETRIES:-0}"  # a demo fails fast instead of retrying
LOGS="$PWD/airflow_home/demo-logs"
mkdir -p "$LOGS"

case "$UG_DATA_ROOT" in
  "$PWD/data"|./data|data) rm -rf "$PWD/data" "$PWD/data-access-reports" ;;  # the demo owns ./data (and
    # its access reports' folder beside it) and starts them afresh
  *) echo "demo: UG_DATA_ROOT=$UG_DATA_ROOT is not the demo lake (./data); refusing to reset it" >&2; exit 2 ;;
esac

echo "== generating $UTTERANCES utterances of synthetic traffic into $UG_DATA_ROOT/landing"
$PY -m utterance_governance.synth --root "$UG_DATA_ROOT" --utterances "$UTTERANCES" --seed 7 --format mixed \
  --summary "$LOGS/generation-summary.json" >"$LOGS/generate.log"
echo "   $(ls "$UG_DATA_ROOT"/landing/utterances/*/* | wc -l) utterance files, consent and deletion files; summary: $LOGS/generation-summary.json"

run_dag() {
  local dag_id=$1; shift
  echo "== airflow dags test $dag_id $*  (log: $LOGS/$dag_id.log)"
  if ! $AIRFLOW dags test "$dag_id" "$@" >"$LOGS/$dag_id.log" 2>&1; then
    echo "!! $dag_id failed; the end of its log:" >&2
    grep -E "ERROR|error|Error|Traceback|raise" "$LOGS/$dag_id.log" | tail -n 20 >&2
    exit 1
  fi
  grep -E "DagRun Finished" "$LOGS/$dag_id.log" | sed -E 's/.*(state=[a-z]+).*/   \1/' | tail -n 1
}

run_dag utterances_publish
echo "== a later privacy drop: opt-outs and deletions (every scope) for published customers"
$PY -m utterance_governance.synth --root "$UG_DATA_ROOT" --seed 7 \
  --privacy-updates "$LOGS/generation-summary.json" --summary "$LOGS/privacy-updates.json" >"$LOGS/privacy-updates.log"
run_dag privacy_requests
echo "   receipts: $UG_DATA_ROOT/reports/receipts/"
run_dag governance_audit
grep -hoE "(audit report|audit findings|reports index): [^ ]+" "$LOGS/governance_audit.log" | sort -u | sed 's/^/   /'
CUSTOMER=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["us_untouched"][0])' "$LOGS/generation-summary.json")
# the privacy officer registers the request (the id goes into the governance store only) and
# triggers the report with the one-time reference it prints
REFERENCE=$(printf '%s\n' "$CUSTOMER" | $PY -m utterance_governance.cli access request --customer-id - --by demo)
run_dag governance_audit -c "{\"access_request\": \"$REFERENCE\"}"
grep -hoE "access report page: [^ ]+" "$LOGS/governance_audit.log" | sed 's/^/   (protected) /'
echo
echo "== summary"
$PY -m utterance_governance.cli summary
echo
echo "== reports"
$PY -m utterance_governance.reports

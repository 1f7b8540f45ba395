"""utterances_publish with dag.test(): what Airflow keeps of a run in its metadata database (each task's
return value, XCom, which its task log repeats; each mapped task's arguments, its rendered fields) names no
landing path (``jobs.file_handles``). An export partitioned by customer (``…/customer_id=zed-cust-77/part-0.jsonl``)
put its customer's id there, beyond the purge's reach."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.integration


def _kept_by_airflow(run_id: str) -> str:
    from airflow.models.renderedtifields import RenderedTaskInstanceFields
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        xcoms = session.query(XComModel).filter(XComModel.run_id == run_id).all()
        fields = (
            session.query(RenderedTaskInstanceFields)
            .filter(RenderedTaskInstanceFields.run_id == run_id)
            .all()
        )
        return json.dumps([x.value for x in xcoms] + [f.rendered_fields for f in fields], default=str)


@pytest.mark.parametrize("max_map_length", ["1024", "1"])  # a task per file, and the files in one group
def test_no_xcom_nor_mapped_argument_names_a_landing_path(run_dag, lake_env, monkeypatch, max_map_length):
    monkeypatch.setenv("AIRFLOW__CORE__MAX_MAP_LENGTH", max_map_length)
    for i, customer in enumerate(("zed-cust-77", "bob-cust-11")):
        folder = lake_env / "landing" / "utterances" / "dt=2026-11-20" / f"customer_id={customer}"
        folder.mkdir(parents=True, exist_ok=True)
        row = {"utterance_id": f"u-river-{i}", "captured_at": "2026-11-20T10:00:00Z", "locale": "en-US",
               "transcript": f"please tell me a long story about river number {i}", "response": "Here is a story.",
               "asr_confidence": 0.95}  # fmt: skip
        (folder / "part-0.jsonl").write_text(json.dumps(row) + "\n")
    run = run_dag("utterances_publish", {"dt_from": "2026-11-20", "dt_to": "2026-11-20"})
    assert run.state == "success"
    from tests.integration.test_utterances_publish import live_rows

    assert set(live_rows(lake_env).column("utterance_id").to_pylist()) == {"u-river-0", "u-river-1"}
    kept = _kept_by_airflow(run.run_id)
    assert "customer_id=[customer]" in kept  # the files, as logs show them
    assert "zed-cust-77" not in kept and "bob-cust-11" not in kept
    assert not list((lake_env / "staging").glob("*.files.json"))  # the run's file table went with its report

"""The example training DAG (dags/examples): scheduled on the dataset's Asset, wired as documented,
parsed without heavy imports; the producing DAGs' announce tasks name the same Asset."""

from __future__ import annotations

import subprocess
import sys

import pytest
from tests.airflow_env import ROOT

HEAVY = ("pandas", "numpy", "pyarrow", "great_expectations", "utterance_governance")


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def test_the_training_example_is_scheduled_on_the_dataset(dagbag):
    from ug_airflow import dataset_asset

    dag = dagbag.dags["assistant_sft_training"]
    assert dag.fileloc.endswith("examples/assistant_sft_training.py")
    assert dag.doc_md and "training_runs" in dag.doc_md
    assert [(a.name, a.uri) for a in dag.timetable.asset_condition.objects] == [
        (dataset_asset().name, dataset_asset().uri)
    ]
    down = {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks}
    assert down == {"select_version": ["train"], "train": []}
    for producer in ("utterances_publish", "privacy_requests"):
        (outlet,) = dagbag.dags[producer].get_task("announce").outlets
        assert (outlet.name, outlet.uri) == (dataset_asset().name, dataset_asset().uri)
        assert outlet.uri.startswith(("file:///", "s3://"))


def test_parsing_the_examples_imports_no_heavy_libraries():
    code = (
        "import sys, runpy, glob\n"
        f"sys.path[:0] = [{str(ROOT / 'plugins')!r}, {str(ROOT / 'dags')!r}]\n"
        f"for f in sorted(glob.glob({str(ROOT / 'dags' / 'examples' / '*.py')!r})): runpy.run_path(f)\n"
        f"print('loaded:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    (line,) = [text for text in out.stdout.splitlines() if text.startswith("loaded:")]
    assert [m for m in line.removeprefix("loaded:").split(",") if m] == []

"""Access reports: the customer's rows wherever the pipeline keeps them (docs/privacy.md "Access reports")."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import DT, line

WORDS = "remind me about the kitchen lights"


@dataclass
class DatasetLake(Lake):
    dataset: str | None = None

    @property
    def env(self) -> dict[str, str]:
        env = dict(Lake.env.fget(self))
        if self.dataset:
            env["UG_DATASET"] = self.dataset
        return env


def test_rows_published_under_the_former_dataset_name_are_in_the_access_report(tmp_path):
    lake = DatasetLake(
        str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'governance.db'}", dataset="assistant-sft-v1"
    )
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed-4417", WORDS))
    lake.publish()
    old = [i.path for i in lake.storage.list_files("published/assistant-sft-v1", (".parquet",))]
    assert old  # zed's row is published (live) under the former dataset's folder
    lake.dataset = (
        None  # UG_DATASET changed to the default, assistant-sft; the old version stays live on disk
    )
    # a purge searches every Parquet file under published/ (purge.traces._published_files): the lake keeps them,
    # a loader given the folder reads them, and the customer is owed them in their report
    report = json.loads(Path(lake.access_report("zed-4417")["json"].removeprefix("file://")).read_text())
    paths = {loc["path"] for u in report["utterances"] for loc in u["locations"]}
    # Before: only the landing and decisions copies are listed; reports/access.py:_published searches
    # published/<UG_DATASET> alone, so the published shard under published/assistant-sft-v1 is missing.
    assert set(old) <= paths, paths

"""The one storage layer behaves the same on a local folder and on S3 (moto's S3 server).

Object stores have no rename: writes are whole-object PUTs, listings are never cached (another
worker's write is seen at once), and the S3 endpoint can come from the environment alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import fsspec
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from tests.airflow_env import ROOT
from tests.s3 import s3_server, storage_options

from utterance_governance.io.storage import Storage


@pytest.fixture(scope="module")
def endpoint():
    with s3_server() as url:
        yield url


@pytest.fixture(params=["local", "s3"])
def lake(request, tmp_path) -> Storage:
    if request.param == "local":
        return Storage(str(tmp_path / "lake"))
    endpoint = request.getfixturevalue("endpoint")
    bucket = f"lake-{uuid.uuid4().hex[:8]}"
    storage = Storage(f"s3://{bucket}/prefix", **storage_options(endpoint))
    storage.ensure_root()
    return storage


def test_writes_reads_lists_and_removes_alike(lake):
    lake.ensure_root()  # idempotent
    lake.write_bytes("landing/consent/a.jsonl", b'{"x": 1}\n')
    lake.write_bytes("landing/consent/.a.jsonl.partial", b"half")  # hidden: a writer's temp file
    size, sha = lake.write_parquet("published/ds/v1/shards/part-0.parquet", pa.table({"id": ["u1", "u2"]}))

    assert lake.exists("landing/consent/a.jsonl") and not lake.exists("landing/consent/b.jsonl")
    assert lake.read_bytes("landing/consent/a.jsonl") == b'{"x": 1}\n'
    assert [f.path for f in lake.list_files("landing")] == ["landing/consent/a.jsonl"]
    assert [f.path for f in lake.list_files("", (".parquet",))] == ["published/ds/v1/shards/part-0.parquet"]
    assert lake.list_files("nothing/here") == []
    info = lake.info("published/ds/v1/shards/part-0.parquet")
    assert info.size == size and lake.sha256(info.path) == sha
    assert lake.read_parquet(info.path).column("id").to_pylist() == ["u1", "u2"]

    before = lake.info("landing/consent/a.jsonl").fingerprint
    lake.write_bytes("landing/consent/a.jsonl", b'{"x": 2}\n')  # replaced whole
    assert lake.info("landing/consent/a.jsonl").fingerprint != before
    assert lake.read_bytes("landing/consent/a.jsonl") == b'{"x": 2}\n'

    assert lake.remove("published/ds/v1") is True and lake.remove("published/ds/v1") is False
    assert lake.list_files("published") == []
    assert lake.url("reports/x.json") == f"{lake.root_url}/reports/x.json"


def _by_source(rows: int = 1000, sources: int = 10) -> pa.Table:
    return pa.table(
        {
            "utterance_id": [f"u{i:05d}" for i in range(rows)],
            "source_file": [f"landing/f{i % sources:02d}.parquet" for i in range(rows)],
        }
    ).sort_by("source_file")


def test_a_tail_read_gives_a_files_last_bytes_alike(lake):
    lake.write_bytes("m/manifest.json", b"0123456789")
    assert lake.read_tail("m/manifest.json", 4) == b"6789"
    assert lake.read_tail("m/manifest.json", 64) == b"0123456789"


def test_a_read_where_in_gives_exactly_the_rows_of_those_values_alike(lake, monkeypatch):
    table = _by_source()
    lake.write_parquet("staging/dups.parquet", table, row_group_size=50)  # 20 row groups, 2 per source
    read_groups: list[list[int]] = []
    original = pq.ParquetFile.read_row_groups

    def recording(self, groups, *args, **kwargs):
        read_groups.append(list(groups))
        return original(self, groups, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "read_row_groups", recording)
    wanted = pa.array(["landing/f03.parquet", "landing/f07.parquet"])
    rows = lake.read_parquet_where_in("staging/dups.parquet", "source_file", wanted, ["utterance_id"])
    expected = table.filter(pc.is_in(table.column("source_file"), value_set=wanted))
    assert rows.column_names == ["utterance_id"]
    assert sorted(rows.column(0).to_pylist()) == sorted(expected.column("utterance_id").to_pylist())
    assert len(expected) == 200 and len(read_groups[-1]) == 4  # of 20: only those sources' groups
    absent = lake.read_parquet_where_in(
        "staging/dups.parquet", "source_file", pa.array(["landing/zz"]), ["utterance_id"]
    )
    assert absent.num_rows == 0 and read_groups[-1] == []
    between = pa.array(["landing/f03.parquet~"])  # sorts between two sources: in no group's rows
    assert (
        lake.read_parquet_where_in("staging/dups.parquet", "source_file", between, ["utterance_id"]).num_rows
        == 0
    )


def test_a_read_where_in_of_a_file_without_statistics_or_sorted_rows_reads_it_whole(lake):
    table = _by_source()
    shuffled = table.take(pa.array([(i * 7919) % table.num_rows for i in range(table.num_rows)]))
    lake.write_parquet("staging/plain.parquet", shuffled, row_group_size=50, write_statistics=False)
    lake.write_parquet("staging/unsorted.parquet", shuffled, row_group_size=50)
    wanted = pa.array(["landing/f05.parquet"])
    for path in ("staging/plain.parquet", "staging/unsorted.parquet"):
        rows = lake.read_parquet_where_in(path, "source_file", wanted, ["utterance_id", "source_file"])
        assert rows.num_rows == 100 and set(rows.column("source_file").to_pylist()) == {"landing/f05.parquet"}


def test_a_read_where_in_with_a_null_value_finds_the_null_rows(lake):
    table = pa.table({"utterance_id": ["u1", "u2", "u3"], "source_file": ["landing/a", None, "landing/b"]})
    lake.write_parquet("staging/nulls.parquet", table, row_group_size=1)
    rows = lake.read_parquet_where_in(
        "staging/nulls.parquet", "source_file", pa.array([None], pa.string()), ["utterance_id"]
    )
    assert rows.column(0).to_pylist() == ["u2"]


def test_put_tree_copies_a_local_folder_under_a_prefix(lake, tmp_path):
    built = tmp_path / "built"
    (built / "validations" / "run").mkdir(parents=True)
    (built / "index.html").write_text("<html>index</html>")
    (built / "validations" / "run" / "page.html").write_text("<html>page</html>")

    written = lake.put_tree(str(built), "reports/run-1/gx")
    assert written == ["reports/run-1/gx/index.html", "reports/run-1/gx/validations/run/page.html"]
    assert lake.read_bytes("reports/run-1/gx/validations/run/page.html") == b"<html>page</html>"


def test_an_s3_listing_shows_another_writers_object_at_once(endpoint):
    bucket = f"lake-{uuid.uuid4().hex[:8]}"
    reader = Storage(f"s3://{bucket}/root", **storage_options(endpoint))
    reader.ensure_root()
    assert reader.list_files("landing") == [] and not reader.exists("landing/x.jsonl")
    reader.write_bytes("landing/a.jsonl", b"a\n")
    assert [f.path for f in reader.list_files("landing")] == ["landing/a.jsonl"]

    other = fsspec.filesystem("s3", skip_instance_cache=True, **storage_options(endpoint))  # another worker
    other.pipe_file(f"{bucket}/root/landing/x.jsonl", b"x\n")
    assert reader.exists("landing/x.jsonl")
    assert [f.path for f in reader.list_files("landing")] == ["landing/a.jsonl", "landing/x.jsonl"]
    other.rm(f"{bucket}/root/landing/a.jsonl")
    assert not reader.exists("landing/a.jsonl")
    assert [f.path for f in reader.list_files("landing")] == ["landing/x.jsonl"]


def test_the_s3_endpoint_comes_from_the_environment_alone(endpoint):
    """What a deployment sets (docker-compose.yaml): FSSPEC_S3_ENDPOINT_URL and AWS credentials."""
    bucket = f"lake-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FSSPEC_"))}
    env.update({"FSSPEC_S3_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                "AWS_DEFAULT_REGION": "us-east-1", "PYTHONPATH": str(ROOT / "plugins")})  # fmt: skip
    script = (
        "import sys; from utterance_governance.io.storage import Storage\n"
        "s = Storage(sys.argv[1]); s.ensure_root(); s.write_bytes('reports/r.json', b'{}')\n"
        "print(s.fs.client_kwargs.get('endpoint_url') or s.fs.endpoint_url)"
    )
    result = subprocess.run([sys.executable, "-c", script, f"s3://{bucket}/lake"], env=env,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    check = fsspec.filesystem("s3", skip_instance_cache=True, **storage_options(endpoint))
    assert json.loads(check.cat(f"{bucket}/lake/reports/r.json")) == {}

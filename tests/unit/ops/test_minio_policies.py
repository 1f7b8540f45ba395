"""The MinIO users of ``deploy/minio-init.sh`` with their policies as written there, enforced by an S3
server (moto's, with IAM checks on): the governance view, as the api-server runs it with the
``ug-reports-reader`` user, reads what it shows and no shard."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
INIT = (ROOT / "deploy" / "minio-init.sh").read_text()
PREFIX = "utterance-governance"


def _policy(name: str) -> str:
    return re.search(rf"cat > {name}.json <<'JSON'\n(.*?)\nJSON", INIT, re.S).group(1)


@pytest.fixture
def s3_with_iam():
    """moto_server in a process of its own, enforcing IAM after the first 12 calls (made as root)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-p", str(port)],
        env={**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "12"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(10)


def test_the_views_reader_reads_the_live_version_and_reports_but_no_shard(s3_with_iam):
    """The reader's policy allowed ``reports/*`` only: the view reads ``current.json`` and the live
    manifest for its first section, so the page failed on the production stack (moto without IAM
    checks, as ``make stack-test`` runs it, could not tell)."""
    import boto3

    root = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1",
            "endpoint_url": s3_with_iam}  # fmt: skip
    iam = boto3.client("iam", **root)
    keys = {}
    for user, policy in (("ug-lake", "lake-rw"), ("ug-reports-reader", "reports-read")):
        iam.create_user(UserName=user)
        iam.put_user_policy(UserName=user, PolicyName=policy, PolicyDocument=_policy(policy))
        key = iam.create_access_key(UserName=user)["AccessKey"]
        keys[user] = {
            "aws_access_key_id": key["AccessKeyId"],
            "aws_secret_access_key": key["SecretAccessKey"],
        }
    lake = boto3.client("s3", region_name="us-east-1", endpoint_url=s3_with_iam, **keys["ug-lake"])
    lake.create_bucket(Bucket="lake")
    manifest = {"dataset": "assistant-sft", "version": "v000001", "parent_version": None, "run_id": "r1",
                "rows": 1, "new_rows": 1, "shards": [{"path": "v000001/shards/part-00000.parquet", "rows": 1}],
                "counts": {"published": 1}, "quality_gate": {"success": True}}  # fmt: skip
    objects = {
        "published/assistant-sft/current.json": {"version": "v000001", "manifest": "v000001/manifest.json"},
        "published/assistant-sft/v000001/manifest.json": manifest,
        "published/assistant-sft/v000001/shards/part-00000.parquet": {"not": "readable by the view"},
        "reports/r1/index.html": {"a": "page"},
    }
    for key, body in objects.items():
        lake.put_object(Bucket="lake", Key=f"{PREFIX}/{key}", Body=json.dumps(body).encode())

    reader = boto3.client(
        "s3", region_name="us-east-1", endpoint_url=s3_with_iam, **keys["ug-reports-reader"]
    )
    for key in ("published/assistant-sft/current.json", "published/assistant-sft/v000001/manifest.json",
                "reports/r1/index.html"):  # fmt: skip
        reader.get_object(Bucket="lake", Key=f"{PREFIX}/{key}")
    with pytest.raises(Exception, match=r"AccessDenied|Forbidden|403"):
        reader.get_object(
            Bucket="lake", Key=f"{PREFIX}/published/assistant-sft/v000001/shards/part-00000.parquet"
        )

    # the view's first section, read with the reader's credentials
    from ug_airflow.governance_view.data import _live
    from utterance_governance.io.storage import Storage

    reader_storage = Storage(
        f"s3://lake/{PREFIX}",
        key=keys["ug-reports-reader"]["aws_access_key_id"],
        secret=keys["ug-reports-reader"]["aws_secret_access_key"],
        client_kwargs={"endpoint_url": s3_with_iam},
    )
    live = _live(reader_storage, f"s3://lake/{PREFIX}", "assistant-sft")
    assert (live["version"], live["rows"], live["shards"]) == ("v000001", 1, 1)

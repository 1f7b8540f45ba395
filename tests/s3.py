"""An S3 server for tests: moto's, in a thread of the test process, on a free loopback port."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

CREDENTIALS = {"key": "test", "secret": "test"}


@contextmanager
def s3_server() -> Iterator[str]:
    """Run moto's S3 API server; yield its endpoint URL.

    moto keeps its state per process, not per server: it is reset when the server stops, so no
    bucket outlives the ``with`` block (a later test creating the same bucket name would fail).
    """
    from moto.server import ThreadedMotoServer

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    try:
        yield url
    finally:
        try:
            urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=10)
        finally:
            server.stop()


def storage_options(endpoint: str) -> dict:
    """fsspec/s3fs options reaching ``endpoint`` (what FSSPEC_S3_* sets in a deployment)."""
    return {**CREDENTIALS, "client_kwargs": {"endpoint_url": endpoint}}

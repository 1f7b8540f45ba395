"""Scanning helpers for the every-copy tests: every file under a root decoded, every table of the store dumped."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from tests.unit.purge.test_every_copy_edges import _decoded


def files_holding(root: str, needle: str) -> list[str]:
    out = []
    for folder, _, names in os.walk(root):
        for name in names:
            p = Path(folder, name)
            if needle in _decoded(p) or needle in p.read_bytes().decode("utf-8", "replace"):
                out.append(str(p.relative_to(root)))
    return sorted(out)


def tables_holding(url: str, needle: str, skip: set[str] = frozenset()) -> dict[str, list]:
    engine = create_engine(url)
    found: dict[str, list] = {}
    try:
        names = inspect(engine).get_table_names()
        with engine.connect() as conn:
            for t in names:
                if t in skip:
                    continue
                for row in conn.execute(text(f'SELECT * FROM "{t}"')):
                    s = " | ".join(
                        (
                            v.decode("utf-8", "replace")
                            if isinstance(v, (bytes, memoryview)) and not isinstance(v, memoryview)
                            else bytes(v).decode("utf-8", "replace")
                            if isinstance(v, memoryview)
                            else str(v)
                        )
                        for v in row
                    )
                    if needle in s:
                        found.setdefault(t, []).append(s[:300])
    finally:
        engine.dispose()
    return found

"""PostgreSQL administration for tests: one autocommit connection, a few statements, closed again."""

from __future__ import annotations

import os
from collections.abc import Sequence

DEFAULT_POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def postgres_admin_url() -> str:
    """The server tests use: ``UG_TEST_POSTGRES_URL``, or the machine's local PostgreSQL."""
    return os.environ.get("UG_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_ADMIN_URL


def admin_sql(url: str, *statements: str | tuple[str, Sequence]) -> None:
    """Run ``statements`` (SQL, or (SQL, parameters)) on ``url`` in autocommit mode, e.g. CREATE DATABASE."""
    import psycopg2

    conn = psycopg2.connect(url, connect_timeout=5)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            for statement in statements:
                sql, params = statement if isinstance(statement, tuple) else (statement, None)
                cursor.execute(sql, params)
    finally:
        conn.close()

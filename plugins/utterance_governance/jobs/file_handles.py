"""What the publish DAG's tasks hand each other about landing files (Airflow XCom, which each task's log
repeats, and a mapped task's arguments, which Airflow keeps as its rendered fields): a handle and the path
as logs show it, never the raw path.

A landing path may name its customer (``…/customer_id=zed-4417/part-0.jsonl``, an export partitioned by
customer). Airflow keeps every task's return value in its metadata database for as long as the run is kept,
beyond the reach of the purge. The Task SDK does let a task delete another run's XCom
(``XCom.delete(key, task_id, dag_id, run_id, map_index)``; the execution API checks access only in
``[core] multi_team`` mode), but one entry at a time, for runs and map indexes it must first find, not the
rendered fields nor the task logs, and a run whose XCom went can no longer be cleared and retried. So the
paths never go there: ``discover`` keeps the night's files in a table of the run
(``staging/<run>.files.json``: the lake's, which the purge searches as it searches a run's reports,
``purge.traces`` ``run_reports``: a deleted customer's folder there shown ``customer_id=[customer]``) and
hands each file on as ``{"file": <handle>, "shown": <shown path>}`` plus what the DAG's wiring reads (its
partition count); every later step gets the file back from the table (``resolve``). The handle is
``traces.name_digest`` of the path (keyed: 16 hex digits, as the lake's own files of it are named). The
table outlives the run's staging (a retry of ``publish`` past its switch still reads its files) and goes
with the run's report (``write_report``); a failed run's stays, as its staging does (evidence), until the
run is cleared and run again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from utterance_governance.io.readers import shown_path
from utterance_governance.jobs import publish
from utterance_governance.jobs.context import RunContext
from utterance_governance.purge.traces import name_digest
from utterance_governance.settings import load_settings

HANDLE = "file"
SHOWN = "shown"
_HANDED = ("partitions",)  # what the DAG's wiring reads of a file (``plan_partitions``) besides its handle


class FileTableLost(RuntimeError):
    """A handle the run's file table does not resolve: the table is gone (the run's report removed it) or a
    purge showed the file's customer folder as ``customer_id=[customer]`` (they deleted everything)."""


def table_path(ctx: RunContext) -> str:
    return f"staging/{ctx.run_key}.files.json"


def _handed(handle: str, item: dict) -> dict:
    return {HANDLE: handle, SHOWN: shown_path(item["path"]), **{k: item[k] for k in _HANDED if k in item}}


def discover(ctx: RunContext, limit: int) -> list[dict | list[dict]]:
    """``publish.discover_files``, kept in the run's file table; its files as handles, in at most
    ``limit`` units of work (``publish.work_units``)."""
    files = publish.discover_files(ctx)
    key = load_settings().pseudonym_key
    table = {name_digest(key, f["path"]): f for f in files}
    ctx.storage.write_bytes(table_path(ctx), json.dumps(table, sort_keys=True).encode())
    return publish.work_units([_handed(h, f) for h, f in table.items()], limit)


def _table(ctx: RunContext) -> dict[str, dict]:
    try:
        return json.loads(ctx.storage.read_bytes(table_path(ctx)))
    except FileNotFoundError as exc:
        raise FileTableLost(
            f"the run's file table {table_path(ctx)} is gone (its report removed it): clear the run from "
            "discover_files"
        ) from exc


def resolve(ctx: RunContext, items: Iterable[dict], table: dict[str, dict] | None = None) -> list[dict]:
    """The files (and what a step made of them) ``items`` hand on, each with its path again."""
    items = list(items)
    if not any(HANDLE in item for item in items):
        return items
    table = _table(ctx) if table is None else table
    key = load_settings().pseudonym_key
    out = []
    for item in items:
        if HANDLE not in item:
            out.append(item)
            continue
        file = table.get(item[HANDLE])
        # (a path the purge showed as ``customer_id=[customer]`` is no longer the one the handle digests)
        if file is None or name_digest(key, file["path"]) != item[HANDLE]:
            raise FileTableLost(f"{item[SHOWN]}: not in the run's file table, or shown there as the purge "
                                "shows a deleted customer's folder: run the DAG again")  # fmt: skip
        rest = {k: v for k, v in item.items() if k not in (HANDLE, SHOWN)}
        out.append({**file, **rest, "path": file["path"]})
    return out


def hand_on(ctx: RunContext, results: Iterable[dict]) -> list[dict]:
    """Step results naming a landing file (``path``) as handles: the rest of each as it is (staging paths
    named by digest, counts)."""
    key = load_settings().pseudonym_key
    out = []
    for result in results:
        rest = {k: v for k, v in result.items() if k != "path"}
        out.append({**rest, HANDLE: name_digest(key, result["path"]), SHOWN: shown_path(result["path"])})
    return out


def _flat(staged) -> list[dict]:
    return [item for result in staged for item in (result if isinstance(result, list) else [result])]


def process(ctx: RunContext, unit: dict | list[dict]) -> list[dict]:
    """``publish.process_unit`` of a unit of handles; its results handed on as handles."""
    files = resolve(ctx, unit if isinstance(unit, list) else [unit])
    return hand_on(ctx, publish.process_unit(ctx, files))


def gate_batch(ctx: RunContext, staged: list[dict], partials: list[dict] | None = None) -> dict:
    return publish.gate_batch(ctx, resolve(ctx, _flat(staged)), partials)


def publish_version(ctx: RunContext, staged: list[dict], gated: dict) -> dict:
    return publish.publish(ctx, resolve(ctx, _flat(staged)), gated)


def write_report(ctx: RunContext, privacy: dict, published: dict) -> dict:
    """``publish.write_report``; the run's file table goes with the run."""
    out = publish.write_report(ctx, privacy, published)
    ctx.storage.remove(table_path(ctx))
    return out

"""The publish gate: run the Great Expectations suite on a batch before it becomes shards.

``run_gate(batch, policy)`` turns the batch (Arrow table or pandas frame) into the frame GX
validates (``gate_frame``), runs ``quality.suite.build_suite(policy)`` on it with GX Core and
returns a ``GateResult``: pass/fail, the failing checks with counts and a few utterance_ids,
and the full GX validation result (``gx_result``, ``save(path)``) for the run's report. With
``docs_dir`` it also builds GX Data Docs for that validation: into that folder when it is a
local path; when it is an object-store URL (``s3://...``, a lake on S3), into a temporary
folder first (GX's site builder writes only to a filesystem), then through ``io.storage``.
Bad data never raises: a missing column is a failed check.

How identifiers are checked (SPEC §5, amended 2026-11-28: "the gate's re-check uses a
detector independent of the one that redacted"). The probes ``user_text_has_identifier`` /
``assistant_text_has_identifier`` are computed by ``detect.find_identifiers`` (phonenumbers'
matcher, stdnum checksums, its own email, spelled-out and street grammars; not ``clean``),
with each row's locale, over every row holding a digit, a number word, an "@" or a gazetteer
name and a sample of the rest. What it finds is also listed, as utterance_id, column, kind and
rule (never the text), in ``GateResult.statistics["identifier_findings"]``.

Before that amendment (kept for the measurements below) the probes were the redaction's own
detectors:
Measured on a 1M-row batch of short English turns, on a shared 2-CPU machine:

(a) ``ExpectColumnValuesToNotMatchRegexList`` with the ``clean.patterns.DETECTORS`` patterns
    on the text column itself. GX's pandas metric runs ``column.astype(str)`` (the
    Arrow-backed ``string[pyarrow]`` column becomes Python objects: 1.3 s) and then one
    Python-``re`` ``Series.str.contains`` per pattern: 0.7 to 7 s each for the written forms
    and 77 s for the spoken-number pattern, 87 s for ``user_text`` alone. It is also wrong:
    those patterns are candidates that ``detect_identifiers`` refines ("ten ten" is not a
    phone number), so (a) failed the clean batch. And GX would keep the matching transcripts
    as unexpected values, into its result and Data Docs.
(b) Probe columns ``user_text_has_identifier`` / ``assistant_text_has_identifier`` computed
    with ``clean.patterns.detect_identifiers`` (vectorised RE2 in Arrow: 0.16 to 0.3 s per
    column), then ``ExpectColumnValuesToBeInSet([False])`` in GX (numpy ``isin``; both
    expectations 0.25 s). Exactly the redaction's own detection, so it fails on what
    redaction would have redacted, and on nothing else.

(b) is the gate. The other checks that would read text go the same way (GX's value-length
and regex metrics also go through ``astype(str)``): the user and assistant turn lengths and
the ``speaker_key`` shape are probes too (see ``quality.suite``).

Masking. GX needs the sensitive columns (``user_text``, ``assistant_text``, ``speaker_key``)
only for their name, type and nulls, so ``gate_frame`` hands them to GX *masked*: same dtype,
same nulls, every value ``""``. Nothing GX records (results, Data Docs, exception messages),
whatever expectation or result format is added later, can hold a transcript or a speaker
key; failures on them report counts and utterance_ids only. It is also faster: GX filters
the whole frame several times per per-row expectation, and masked columns cost nothing to
filter. Other columns report up to ``SAMPLE_SIZE`` unexpected values (locales, duplicate
ids, confidences).

GX overhead, and the one thing switched off. For an in-memory frame under 1 GB, GX's pandas
engine fingerprints the whole batch with ``pandas.util.hash_pandas_object`` into
``batch_markers["pandas_data_fingerprint"]``: 2.3 s of a 2.9 s validation on 1M rows. The
fingerprint is informational only (shards carry their own sha256); the gate switches it off
while it runs (``_without_batch_fingerprint``). What remains, per 1M rows: the probes (run in
parallel threads), ~0.15 to 0.2 s for ``utterance_id`` uniqueness, ~0.25 s of whole-frame
filters caused by nulls in ``asr_confidence``, and ~0.1 s of fixed GX graph and result
overhead (a 1,000-row batch takes ~0.15 s in all).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import math
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance.detect import find_identifiers
from utterance_governance.policy import Policy
from utterance_governance.quality.suite import (
    BATCH_COLUMNS,
    PROBE_COLUMNS,
    PSEUDONYM_PATTERN,
    SENSITIVE_COLUMNS,
    SUITE_NAME,
    build_suite,
    source_column,
)
from utterance_governance.rules.quality import SPEECH

if TYPE_CHECKING:
    import pandas as pd

SAMPLE_SIZE = 5
MAX_LISTED_FINDINGS = 50  # identifier findings listed in the result (the count is always exact)
DOCS_SITE_NAME = "publish_gate"
_GX_LOCK = threading.Lock()


@dataclass(frozen=True)
class FailedExpectation:
    """One failing check, safe to log: never a transcript or a speaker_key value."""

    check: str  # the suite's stable check name, e.g. "user_text_no_identifier"
    expectation_type: str  # e.g. "expect_column_values_to_be_in_set"
    column: str | None  # the column GX validated (a probe column for text checks)
    message: str
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    sample_values: list = field(default_factory=list)  # empty for sensitive columns
    sample_utterance_ids: list = field(default_factory=list)
    exception: str | None = None  # when GX could not evaluate it (e.g. a missing column)


@dataclass(frozen=True)
class GateResult:
    success: bool
    evaluated: int
    failed: list[FailedExpectation]
    statistics: dict
    rows: int
    docs_index: str | None = None
    run_name: str | None = None
    suite_name: str = SUITE_NAME
    gx_result: dict = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self) -> dict:
        """JSON-serialisable summary for manifests and reports (not the full GX result)."""
        return {
            "success": self.success,
            "rows": self.rows,
            "evaluated": self.evaluated,
            "failed": [asdict(f) for f in self.failed],
            "statistics": self.statistics,
            "suite_name": self.suite_name,
            "run_name": self.run_name,
            "docs_index": self.docs_index,
        }

    def save(self, path: str | Path) -> Path:
        """Write the full GX validation result as JSON (kept when the gate fails)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.gx_result, indent=2, default=str), encoding="utf-8")
        return path


def run_gate(
    batch: pa.Table | pd.DataFrame,
    policy: Policy,
    *,
    docs_dir: str | None = None,
    run_name: str | None = None,
) -> GateResult:
    """Validate ``batch`` against the publish gate suite; never raises for bad data."""
    started = time.perf_counter()
    frame, findings = _frame(batch)
    prepared = time.perf_counter()
    suite = build_suite(policy)
    order = {e.meta["check"]: i for i, e in enumerate(suite.expectations)}
    run_name = run_name or f"publish_gate-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%fZ}"
    with _GX_LOCK, _docs_folder(docs_dir) as (local_docs, publish_docs):
        validation, docs_index, timings = _validate(frame, suite, run_name, local_docs)
        docs_index = publish_docs(docs_index)
    gx_result = validation.to_json_dict()
    failed = sorted(
        (_failure(r) for r in gx_result["results"] if not r["success"]),
        key=lambda f: order.get(f.check, len(order)),
    )
    finished = time.perf_counter()

    stats = dict(gx_result.get("statistics", {}))
    stats["identifier_findings"] = findings[:MAX_LISTED_FINDINGS]
    stats["identifier_findings_count"] = len(findings)
    stats["seconds"] = {
        "prepare": round(prepared - started, 4),
        **timings,
        "total": round(finished - started, 4),
    }
    return GateResult(
        success=bool(gx_result["success"]),
        evaluated=int(stats.get("evaluated_expectations", len(gx_result["results"]))),
        failed=failed,
        statistics=stats,
        rows=len(frame),
        docs_index=docs_index,
        run_name=run_name,
        gx_result=gx_result,
    )


# --- the frame GX validates --------------------------------------------------------------


def gate_frame(batch: pa.Table | pd.DataFrame) -> pd.DataFrame:
    """The batch as the frame GX validates (see ``_frame``)."""
    return _frame(batch)[0]


def _frame(batch: pa.Table | pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """The batch as the frame GX validates: typed columns plus the probe columns.

    Arrow strings become Arrow-backed pandas ``string`` (no copy to Python objects), dates
    stay Arrow ``date32``. The sensitive columns (``SENSITIVE_COLUMNS``) are *masked*: same
    dtype, same nulls, every value blanked to ``""``; their content is checked through the
    probes. A pandas column Arrow cannot read (mixed types) is kept as is (masked if
    sensitive) so the type check names it.
    """
    import pandas as pd

    columns = _arrow_columns(batch)
    probes, findings = _probes(columns)
    mapping = {
        pa.string(): pd.StringDtype("pyarrow"),
        pa.large_string(): pd.StringDtype("pyarrow"),
        pa.date32(): pd.ArrowDtype(pa.date32()),
    }
    data: dict[str, Any] = {}
    for name, values in columns.items():
        if name in SENSITIVE_COLUMNS:
            values = _masked(values)
        if isinstance(values, pa.ChunkedArray):
            series = values.to_pandas(types_mapper=mapping.get)
            data[name] = series.to_numpy() if series.dtype.kind in "biuf" else series.array
        else:
            data[name] = values.array
    # A batch column that shares a probe's name is kept under another name, so the column
    # set check still flags it as unexpected.
    for name in probes:
        if name in data:
            data[f"{name} (batch column)"] = data.pop(name)
    data.update(probes)
    # copy=True consolidates the numpy columns into one block per dtype once, here, instead
    # of on every row filter GX makes (Arrow-backed columns are immutable: not copied).
    return pd.DataFrame(data, copy=True), findings


def _masked(values: Any) -> Any:
    """A string column with the same type and nulls, every value ``""``; others unchanged."""
    import numpy as np

    if not isinstance(values, pa.ChunkedArray):  # a pandas column Arrow could not read
        import pandas as pd

        return pd.Series(np.where(values.isna(), None, ""), index=values.index, dtype=object)
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return values
    width = np.int64 if pa.types.is_large_string(values.type) else np.int32
    chunks = []
    for chunk in values.chunks:
        offsets = pa.py_buffer(np.zeros(chunk.offset + len(chunk) + 1, dtype=width))
        validity = chunk.buffers()[0]
        chunks.append(
            pa.Array.from_buffers(
                values.type,
                len(chunk),
                [validity, offsets, pa.py_buffer(b"")],
                null_count=chunk.null_count,
                offset=chunk.offset,
            )
        )
    return pa.chunked_array(chunks, type=values.type)


def _arrow_columns(batch: pa.Table | pd.DataFrame) -> dict[str, pa.ChunkedArray | Any]:
    if isinstance(batch, pa.RecordBatch):
        batch = pa.Table.from_batches([batch])
    if isinstance(batch, pa.Table):
        out = {}
        for index, name in enumerate(batch.column_names):
            out[name] = _decoded(batch.column(index), name)
        return out
    out = {}
    for name in batch.columns:
        series = batch[name]
        try:
            out[str(name)] = _decoded(pa.chunked_array([pa.Array.from_pandas(series)]), str(name))
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            out[str(name)] = series
    return out


# The Arrow type a column of the contract takes when its values carry none (all null).
_NULL_AS = {"captured_date": pa.date32(), "asr_confidence": pa.float64()}


def _decoded(values: pa.ChunkedArray, name: str) -> pa.ChunkedArray:
    """Dictionary and view strings as plain strings; an all-null column as the contract's type."""
    if pa.types.is_null(values.type) and name in BATCH_COLUMNS:
        return values.cast(_NULL_AS.get(name, pa.string()))
    if pa.types.is_dictionary(values.type):
        return values.cast(values.type.value_type)
    if pa.types.is_string_view(values.type):
        return values.cast(pa.large_string())
    return values


def _probes(columns: dict[str, Any]) -> tuple[dict[str, Any], list[dict]]:
    """The probe columns of ``quality.suite`` and the identifier findings (no text).

    The Arrow kernels release the GIL, so the three source columns are probed in parallel.
    """
    import numpy as np

    locales = _strings(columns.get("locale"))
    ids = _strings(columns.get("utterance_id"))
    findings: list[dict] = []

    def speaker_probes(values: pa.ChunkedArray) -> dict[str, Any]:
        matches = pc.fill_null(pc.match_substring_regex(values, PSEUDONYM_PATTERN), False)
        return {"speaker_key_is_pseudonym": _numpy(matches, np.bool_)}

    def row_probes(_: object) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if ids is not None:
            out["utterance_id_chars"] = _numpy(pc.fill_null(pc.utf8_length(ids), 0), np.int64)
        dates = columns.get("captured_date")
        if dates is not None and isinstance(dates, pa.ChunkedArray) and pa.types.is_date(dates.type):
            today = dt.datetime.now(dt.UTC).date()
            plausible = pc.and_(pc.greater_equal(dates, pa.scalar(dt.date(2000, 1, 1), dates.type)),
                                pc.less_equal(dates, pa.scalar(today + dt.timedelta(days=1), dates.type)))  # fmt: skip
            out["captured_date_plausible"] = _numpy(pc.fill_null(plausible, False), np.bool_)
        return out

    def text_probes(column: str, values: pa.ChunkedArray) -> dict[str, Any]:
        chars = pc.fill_null(pc.utf8_length(pc.utf8_trim_whitespace(values)), 0)
        flagged = np.zeros(len(values), dtype=bool)
        for finding in find_identifiers(
            values, locales if locales is not None and len(locales) == len(values) else None
        ):
            flagged[finding.row] = True
            uid = ids[finding.row].as_py() if ids is not None and len(ids) == len(values) else None
            findings.append(
                {"utterance_id": uid, "column": column, "kind": finding.kind, "rule": finding.rule}
            )
        out = {f"{column}_chars": _numpy(chars, np.int64), f"{column}_has_identifier": flagged}
        if column == "user_text":  # (as the empty_transcript rule reads it: Hangul fillers are no letters)
            speech = pc.match_substring_regex(values, SPEECH)
            out["user_text_has_speech"] = _numpy(pc.fill_null(speech, False), np.bool_)
        return out

    jobs: list = [(row_probes, None)]
    speaker = _strings(columns.get("speaker_key"))
    if speaker is not None:
        jobs.append((speaker_probes, speaker))
    for column in ("user_text", "assistant_text"):
        text = _strings(columns.get(column))
        if text is not None:
            jobs.append((functools.partial(text_probes, column), text))
    probes: dict[str, Any] = {}
    with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), os.cpu_count() or 1))) as pool:
        for part in pool.map(lambda job: job[0](job[1]), jobs):
            probes.update(part)
    return {name: probes[name] for name in PROBE_COLUMNS if name in probes}, findings


def _strings(values: Any) -> pa.ChunkedArray | None:
    """``values`` as Arrow strings for a probe, or None when the column is missing."""
    if values is None:
        return None
    if not isinstance(values, pa.ChunkedArray):  # a pandas column Arrow could not read
        return pa.chunked_array([pa.array(values.map(_str_or_none), pa.large_string())])
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        return values
    try:
        return values.cast(pa.large_string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.chunked_array([pa.array([_str_or_none(v) for v in values.to_pylist()])])


def _str_or_none(value: Any) -> str | None:
    import pandas as pd

    missing = value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
    return None if missing else str(value)


def _numpy(values: pa.ChunkedArray | pa.Array, dtype) -> Any:
    import numpy as np

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=dtype)


# --- running GX --------------------------------------------------------------------------


def _is_remote(location: str) -> bool:
    return "://" in location and not location.startswith("file://")


@contextlib.contextmanager
def _docs_folder(docs_dir: str | None):
    """The local folder GX builds Data Docs into, and how to publish its ``index.html``.

    A local ``docs_dir`` is used as is. For an object-store URL the docs are built in a
    temporary folder and put under the URL through ``Storage`` (each object written once,
    whole); the index returned is then the URL of the uploaded ``index.html``.
    """
    if not docs_dir or not _is_remote(docs_dir):
        yield docs_dir, lambda index: index
        return
    import tempfile

    from utterance_governance.io.storage import Storage

    with tempfile.TemporaryDirectory(prefix="ug-gx-docs-") as tmp:

        def publish(index: str | None) -> str | None:
            if index is None:
                return None
            storage = Storage(docs_dir)
            storage.put_tree(tmp, "")
            return storage.url("index.html")

        yield tmp, publish


def _result_format(frame: pd.DataFrame) -> dict:
    result_format: dict[str, Any] = {
        "result_format": "SUMMARY",
        "partial_unexpected_count": SAMPLE_SIZE,
        "return_unexpected_index_query": False,
    }
    if "utterance_id" in frame.columns:
        result_format["unexpected_index_column_names"] = ["utterance_id"]
    return result_format


def _context(docs_dir: str | None):
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites = {}
    if docs_dir:
        page_view = {"module_name": __name__, "class_name": "_PageView"}
        sites[DOCS_SITE_NAME] = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(Path(docs_dir).resolve()),
            },
            "site_section_builders": {
                section: {"view": page_view} for section in ("expectations", "validations", "profiling")
            },
            "site_index_builder": {
                "class_name": "DefaultSiteIndexBuilder",
                "view": {"module_name": __name__, "class_name": "_IndexPageView"},
            },
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        data_docs_sites=sites,
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(project_config=config, mode="ephemeral")


class _TemplateCache:
    """Jinja bytecode of GX's Data Docs templates, kept for the process (see ``_views``)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket) -> None:
        with self._lock:
            code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        code = bucket.bytecode_to_string()
        with self._lock:
            self._code[bucket.key] = code


@functools.cache
def _views() -> tuple[type, type]:
    """GX's Data Docs page views, with their Jinja templates compiled once per process.

    GX builds a new site builder, and with it new views, each with a new Jinja environment, on
    every ``build_data_docs``: every gate recompiled the same ~50 templates (measured: ~0.2 s of
    ~0.3 s of Data Docs, on an idle 2-CPU machine). These views are GX's own, rendering the same
    templates to the same pages; only the compiled form of a template is reused (Jinja's bytecode
    cache, keyed by the template's name and checked against its source).
    """
    import jinja2
    from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView

    class Cache(_TemplateCache, jinja2.BytecodeCache):
        pass

    cache = Cache()

    class PageView(DefaultJinjaPageView):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.env.bytecode_cache = cache

    class IndexPageView(DefaultJinjaIndexPageView):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.env.bytecode_cache = cache

    return PageView, IndexPageView


def __getattr__(name: str):
    """``_PageView`` and ``_IndexPageView``, for the Data Docs site config (GX imports them by name)."""
    if name == "_PageView":
        return _views()[0]
    if name == "_IndexPageView":
        return _views()[1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@contextlib.contextmanager
def _without_batch_fingerprint():
    """Skip GX's whole-frame ``hash_pandas_object`` fingerprint (informational, ~2 s per 1M rows)."""
    from great_expectations.execution_engine import pandas_execution_engine as engine

    saved = getattr(engine, "HASH_THRESHOLD", None)
    if saved is None:  # a GX version without the knob: slower, still correct
        yield
        return
    engine.HASH_THRESHOLD = 0
    try:
        yield
    finally:
        engine.HASH_THRESHOLD = saved


def _validate(frame: pd.DataFrame, suite, run_name: str, docs_dir: str | None):
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    started = time.perf_counter()
    context = _context(docs_dir)
    definition = (
        context.data_sources.add_pandas("publish_gate")
        .add_dataframe_asset("batch")
        .add_batch_definition_whole_dataframe("whole_batch")
    )
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name="publish_gate", data=definition, suite=context.suites.add(suite))
    )
    set_up = time.perf_counter()
    with _without_batch_fingerprint():
        result = validation.run(
            batch_parameters={"dataframe": frame},
            result_format=_result_format(frame),
            run_id=RunIdentifier(run_name=run_name, run_time=dt.datetime.now(dt.UTC)),
        )
    validated = time.perf_counter()
    docs_index = None
    if docs_dir:
        context.build_data_docs(site_names=[DOCS_SITE_NAME])
        index = Path(docs_dir).resolve() / "index.html"
        docs_index = str(index) if index.is_file() else None
    timings = {
        "gx_setup": round(set_up - started, 4),
        "gx_validate": round(validated - set_up, 4),
    }
    if docs_dir:
        timings["gx_docs"] = round(time.perf_counter() - validated, 4)
    return result, docs_index, timings


# --- reading GX results ------------------------------------------------------------------


def _failure(result: dict) -> FailedExpectation:
    config = result.get("expectation_config") or {}
    kwargs = config.get("kwargs") or {}
    column = kwargs.get("column")
    check = (config.get("meta") or {}).get("check") or config.get("type", "unknown")
    details = result.get("result") or {}
    exception = _exception_message(result.get("exception_info"))
    sensitive = source_column(column) in SENSITIVE_COLUMNS

    count = details.get("unexpected_count")
    percent = details.get("unexpected_percent")
    samples = [] if sensitive else [_jsonable(v) for v in details.get("partial_unexpected_list") or []]
    ids = [
        _jsonable(entry.get("utterance_id"))
        for entry in details.get("partial_unexpected_index_list") or []
        if isinstance(entry, dict)
    ]
    if exception:
        message = f"{check}: could not be evaluated: {exception}"
    elif count is not None:
        what = source_column(column) or "batch"
        message = f"{check}: {count} of {details.get('element_count')} rows fail ({what})"
    else:
        message = f"{check}: {_observed(details)}"
    return FailedExpectation(
        check=check,
        expectation_type=config.get("type", "unknown"),
        column=column,
        message=message,
        unexpected_count=None if count is None else int(count),
        unexpected_percent=None if percent is None else round(float(percent), 6),
        sample_values=samples[:SAMPLE_SIZE],
        sample_utterance_ids=ids[:SAMPLE_SIZE],
        exception=exception,
    )


def _observed(details: dict) -> str:
    mismatched = (details.get("details") or {}).get("mismatched")
    if mismatched:
        parts = [f"{k} {sorted(map(str, v))}" for k, v in mismatched.items() if v]
        return "columns " + "; ".join(parts)
    if "observed_value" in details:
        return f"observed {details['observed_value']!s:.200}"
    return "failed"


def _exception_message(info: Any) -> str | None:
    """The first exception GX recorded (flat or keyed by metric), one line, bounded."""
    if not isinstance(info, dict):
        return None
    candidates = [info] if "raised_exception" in info else list(info.values())
    for entry in candidates:
        if isinstance(entry, dict) and entry.get("raised_exception"):
            message = str(entry.get("exception_message") or "exception").strip().splitlines()
            return (message[0] if message else "exception")[:300]
    return None


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if hasattr(value, "item"):
        return _jsonable(value.item())
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


__all__ = [
    "BATCH_COLUMNS",
    "FailedExpectation",
    "GateResult",
    "build_suite",
    "gate_frame",
    "run_gate",
]

"""Synthetic landing zone (SPEC §3): voice-assistant utterances, consent events, deletion requests.

``generate_landing`` writes, through ``Storage``, what upstream systems would drop under
``landing/``: utterance files per ``dt=`` day (Parquet, JSONL, gzipped JSONL, or a mix), one
consent file and one deletion file. The traffic is realistic (timers, weather, music, shopping,
calls, reminders, smart home ... in 17 served locales and 5 unserved ones), with a few percent of
rows carrying personal identifiers (written and spoken), rows that fail quality rules, planted
duplicates, and malformed rows of every kind. A scripted *cast* of customers covers every consent
and deletion scenario; the returned ``GenerationSummary`` names them and the expected decision for
each of their utterances. ``generate_privacy_updates`` writes a later privacy drop.

Scale: rows are generated in chunks (``chunk_size``) with vectorised numpy choices and Arrow string
kernels; each chunk is written before the next is made, so memory stays flat from 100 rows to
10 million. The same seed and arguments give byte-identical files.
"""

from __future__ import annotations

import bisect
import calendar
import gzip
import json
import posixpath
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .. import schema
from ..io.storage import Storage
from ..policy import Policy
from . import identifiers, privacy, scenarios
from .summary import CastUtterance, GenerationSummary, PrivacyUpdateSummary, Window, read_summary
from .templates import (
    DISALLOWED_LOCALES,
    LOCALE_INFO,
    LOCALES,
    SLOT_RE,
    WEEKDAYS,
    cast_utterance,
    local_clock,
    pools_for,
    split_template,
    templates_for,
)

__all__ = [
    "DEFAULT_START",
    "FILE_FORMATS",
    "IDENTIFIER_KINDS",
    "MALFORMED_KINDS",
    "QUALITY_KINDS",
    "CastUtterance",
    "GenerationSummary",
    "PrivacyUpdateSummary",
    "Window",
    "generate_landing",
    "generate_privacy_updates",
    "malformed_kinds_for",
    "read_summary",
]

FORMATS = ("parquet", "jsonl", "jsonl.gz")
FILE_FORMATS = (*FORMATS, "mixed")
DEFAULT_START = date(2026, 11, 20)
DAY_US = 86_400_000_000
UTTERANCE_FIELDS = tuple(f.name for f in schema.UTTERANCE)

# --- what a row can be besides ordinary traffic ---------------------------------------------------
MALFORMED_KINDS = (
    "unparseable_json", "invalid_utf8", "wrong_type_turn_index", "wrong_type_asr_confidence",
    "missing_utterance_id", "missing_customer_id", "missing_captured_at", "missing_locale",
    "missing_transcript", "null_transcript", "timestamp_without_offset", "impossible_date",
    "asr_confidence_out_of_range", "bad_locale", "duplicate_utterance_id",
)  # fmt: skip
_JSONL_ONLY = {"unparseable_json", "invalid_utf8", "wrong_type_turn_index", "wrong_type_asr_confidence",
               "missing_transcript"}  # fmt: skip
_STRING_TIMESTAMP_ONLY = {"timestamp_without_offset", "impossible_date"}
QUALITY_KINDS = (
    "empty_transcript", "whitespace_transcript", "transcript_too_short", "transcript_too_long",
    "response_too_long", "low_asr_confidence", "disallowed_locale",
)  # fmt: skip
VARIANT_KINDS = ("optional_fields_absent",)  # well-formed: device_id, session_id, turn_index left out
IDENTIFIER_KINDS = tuple(identifiers.IDENTIFIER_KINDS)
DUPLICATE_PAIRS = (
    ("what time is it", "It's 9:41 AM."),
    ("tell me a joke", "What do you call a fake noodle? An impasta."),
    ("thank you", "You're welcome."),
)
_QUALITY_RATES = {  # share of the quality_rate budget
    "empty_transcript": 0.08, "whitespace_transcript": 0.07, "transcript_too_short": 0.05,
    "transcript_too_long": 0.06, "response_too_long": 0.02, "low_asr_confidence": 0.55,
    "disallowed_locale": 0.17,
}  # fmt: skip
_IDENTIFIER_RATES = {
    "email": 0.16, "email_spoken": 0.06, "phone_parenthesised": 0.14, "phone_international": 0.12,
    "phone_spoken": 0.14, "phone_spoken_double_oh": 0.06, "card": 0.1, "card_spoken": 0.03, "ssn": 0.06,
    "ssn_spoken": 0.03, "ip": 0.1, "address": 0.12,
}  # fmt: skip
_DIURNAL = np.array([0.6, 0.4, 0.3, 0.3, 0.4, 0.8, 2.0, 3.5, 3.8, 3.0, 2.6, 2.6, 2.8, 2.5, 2.4, 2.5, 2.9,
                     3.6, 4.0, 4.0, 3.6, 3.0, 2.0, 1.1])  # fmt: skip
_DIURNAL = _DIURNAL / _DIURNAL.sum()
_TS_STYLES = np.array([0.55, 0.15, 0.10, 0.20])  # Z, Z+millis, +00:00, local offset
_TS_CDF = np.cumsum(_TS_STYLES)[:-1].tolist()
MAX_DEVICES = 3


def malformed_kinds_for(file_format: str, parquet_timestamps: str = "string") -> tuple[str, ...]:
    """The malformed kinds a landing file of ``file_format`` can carry."""
    if file_format != "parquet":
        return MALFORMED_KINDS
    return tuple(
        k
        for k in MALFORMED_KINDS
        if k not in _JSONL_ONLY and (parquet_timestamps == "string" or k not in _STRING_TIMESTAMP_ONLY)
    )


# --------------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------------


def _rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=key))


class _FastRandom:
    """Scalar draws for the per-row Python paths, served from a block of numpy uniforms.

    ``Generator.integers`` costs microseconds per scalar call; special rows need dozens each.
    Implements the subset of the ``numpy.random.Generator`` interface those paths use.
    """

    def __init__(self, rng: np.random.Generator, block: int = 8192):
        self._rng, self._block = rng, block
        self._buf: list[float] = []
        self._i = 0

    def random(self) -> float:
        if self._i == len(self._buf):
            self._buf, self._i = self._rng.random(self._block).tolist(), 0
        self._i += 1
        return self._buf[self._i - 1]

    def integers(self, low, high=None, size=None):
        if high is None:
            low, high = 0, low
        low, span = int(low), int(high) - int(low)
        if size is None:
            return low + int(self.random() * span)
        return [low + int(self.random() * span) for _ in range(int(size))]

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self.random()


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _scrambled_hex(indices, seed: int, salt: int) -> np.ndarray:
    """Distinct random-looking 12-hex-digit ids (``S12`` bytes) for distinct non-negative ``indices``.

    Odd multipliers and xor-shifts are bijections modulo 2**48, so distinct indices never collide.
    """
    mix = _rng(seed, 99, salt).integers(1, 2**47, size=3)
    a, b, c = np.uint64(int(mix[0]) | 1), np.uint64(mix[1]), np.uint64(int(mix[2]) | 1)
    mask = np.uint64((1 << 48) - 1)
    x = (np.asarray(indices, dtype=np.uint64) + np.uint64(1)) * a + b & mask
    x ^= x >> np.uint64(23)
    x = x * c & mask
    x ^= x >> np.uint64(19)
    shifts = np.arange(44, -1, -4, dtype=np.uint64)
    nibbles = (x[:, None] >> shifts[None, :]) & np.uint64(15)
    return np.ascontiguousarray(_HEX[nibbles.astype(np.intp)]).view("S12").ravel()


def _hex_id(prefix: str, index: int, seed: int, salt: int) -> str:
    return prefix + _scrambled_hex([index], seed, salt)[0].decode()


def _prefixed(prefix: str, hexes: np.ndarray) -> pa.Array:
    return _join(prefix, pa.array(hexes, pa.binary(12)).cast(pa.string()))


def _split_evenly(total: int, weights: np.ndarray) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder), at least 1 each when possible."""
    raw = total * weights / weights.sum()
    out = np.floor(raw).astype(np.int64)
    for i in np.argsort(-(raw - out), kind="stable")[: total - int(out.sum())]:
        out[i] += 1
    if total >= len(out):
        while (out == 0).any():
            out[int(np.argmax(out))] -= 1
            out[int(np.argmin(out))] += 1
    return [int(x) for x in out]


@cache
def _hms_pool() -> pa.Array:
    return pa.array([f"T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400)])


@cache
def _clock_pool(lang: str) -> pa.Array:
    return pa.array([local_clock(lang, m) for m in range(1440)])


def _offset_text(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _join(*parts) -> pa.Array:
    return pc.binary_join_element_wise(*[pa.scalar(p) if isinstance(p, str) else p for p in parts], "")


# --------------------------------------------------------------------------------------------------
# per-locale tables (compiled once per process)
# --------------------------------------------------------------------------------------------------


@dataclass
class _LocaleTables:
    locale: str
    lang: str
    templates: list
    cdf: np.ndarray
    cdf_list: list[float]
    parts: list[tuple[list[str], list[str] | None]]
    py_pools: dict[str, list[tuple[str, str]]]
    pa_pools: dict[str, tuple[pa.Array, pa.Array]]
    prefixes: pa.Array


@cache
def _tables(locale: str) -> _LocaleTables:
    info = LOCALE_INFO[locale]
    tpls = templates_for(info.lang)
    weights = np.array([t.weight for t in tpls], dtype=float)
    pools = pools_for(locale)
    pa_pools = {
        name: (pa.array([v[0] for v in vals]), pa.array([v[1] for v in vals])) for name, vals in pools.items()
    }
    parts = [(split_template(t.transcript), split_template(t.response) if t.response else None) for t in tpls]
    prefixes = pa.array([v[0] for v in pools.get("prefix", [("", "")])])
    cdf = np.cumsum(weights) / weights.sum()
    return _LocaleTables(locale, info.lang, tpls, cdf, cdf.tolist(), parts, pools, pa_pools, prefixes)


def render_one(
    rng: np.random.Generator, locale: str, minute: int = 600, weekday: int = 0
) -> tuple[str, str | None]:
    """One ordinary (transcript, response) in ``locale``, rendered in Python (for special rows)."""
    tables = _tables(locale)
    tpl = tables.templates[min(bisect.bisect_right(tables.cdf_list, rng.random()), len(tables.templates) - 1)]
    values: dict[str, tuple[str, str]] = {}
    for slot in tpl.slots:
        if slot == "@clock":
            values[slot] = (local_clock(tables.lang, minute),) * 2
        elif slot == "@weekday":
            values[slot] = (WEEKDAYS[tables.lang][weekday],) * 2
        else:
            pool = tables.py_pools[slot]
            values[slot] = pool[int(rng.integers(len(pool)))]
    transcript = SLOT_RE.sub(lambda m: values[m.group(1)][0], tpl.transcript)
    response = None if tpl.response is None else SLOT_RE.sub(lambda m: values[m.group(1)][1], tpl.response)
    return transcript, response


def _render_locale(
    rng, tables: _LocaleTables, minute: np.ndarray, weekday: np.ndarray
) -> tuple[pa.Array, pa.Array]:
    """Vectorised: transcripts and responses for ``len(minute)`` rows of one locale."""
    n = len(minute)
    choice = np.searchsorted(tables.cdf, rng.random(n), side="right")
    order = np.argsort(choice, kind="stable")
    counts = np.bincount(choice, minlength=len(tables.templates))
    starts = np.cumsum(counts) - counts
    t_out, r_out = [], []
    for ti in np.nonzero(counts)[0]:
        rows = order[starts[ti] : starts[ti] + counts[ti]]
        m = len(rows)
        values: dict[str, tuple[pa.Array, pa.Array]] = {}
        for slot in tables.templates[ti].slots:
            if slot == "@clock":
                arr = _clock_pool(tables.lang).take(pa.array(minute[rows]))
                values[slot] = (arr, arr)
            elif slot == "@weekday":
                arr = pa.array(WEEKDAYS[tables.lang]).take(pa.array(weekday[rows]))
                values[slot] = (arr, arr)
            else:
                spoken, display = tables.pa_pools[slot]
                pick = pa.array(rng.integers(0, len(spoken), m))
                values[slot] = (spoken.take(pick), display.take(pick))
        t_parts, r_parts = tables.parts[ti]
        t_out.append(_build(t_parts, values, 0, m))
        r_out.append(_build(r_parts, values, 1, m) if r_parts else pa.nulls(m, pa.string()))
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = np.arange(n)
    transcripts = pa.concat_arrays(t_out).take(pa.array(inverse))
    responses = pa.concat_arrays(r_out).take(pa.array(inverse))
    if len(tables.prefixes) > 1:
        transcripts = _join(
            tables.prefixes.take(pa.array(rng.integers(0, len(tables.prefixes), n))), transcripts
        )
    capitalise = pa.array(rng.random(n) < 0.2)
    transcripts = pc.if_else(capitalise, pc.utf8_capitalize(transcripts), transcripts)
    return transcripts, responses


def _build(parts: list[str], values, form: int, m: int) -> pa.Array:
    pieces = [values[p[1:-1]][form] if p.startswith("{") else p for p in parts]
    if all(isinstance(p, str) for p in pieces):
        return pa.array(["".join(pieces)] * m, pa.string())
    return _join(*pieces)


# --------------------------------------------------------------------------------------------------
# plan
# --------------------------------------------------------------------------------------------------


@dataclass
class _Planned:
    category: str  # cast | malformed | quality | variant | identifier | duplicate
    kind: str
    payload: dict = field(default_factory=dict)


@dataclass
class _FilePlan:
    index: int
    day_index: int
    day: date
    part: int
    fmt: str
    rel: str
    rows: int
    chunks: list[int]
    planned: dict[int, list[_Planned]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        self.id_prefix = f"{self.day:%Y%m%d}{self.part:02d}"
        self.weekday = self.day.weekday()


@dataclass
class _Special:
    category: str
    kind: str
    order_us: int
    record: dict
    t_us: int | None
    id_mode: str = "assign"  # assign | none | repeat
    raw: str | None = None  # a JSONL-only defect applied after the id is known
    cast: scenarios.CastMember | None = None
    in_response: bool = False


class _Population:
    """Ordinary customers (never cast), their locale, time zone, devices and activity."""

    def __init__(self, seed: int, n: int, rng: np.random.Generator):
        shares = np.array([info.share for info in LOCALES])
        locale = rng.choice(len(LOCALES), size=n, p=shares / shares.sum())
        locale[: min(n, len(LOCALES))] = np.arange(min(n, len(LOCALES)))  # every locale has customers
        self.n = n
        self.locale = locale.astype(np.int16)
        self.zone_names = sorted({z for info in LOCALES for z, _ in info.zones})
        zone_index = {z: i for i, z in enumerate(self.zone_names)}
        self.zone = np.empty(n, dtype=np.int16)
        for li, info in enumerate(LOCALES):
            rows = np.nonzero(self.locale == li)[0]
            names = [z for z, _ in info.zones]
            w = np.array([w for _, w in info.zones])
            self.zone[rows] = [
                zone_index[z] for z in np.array(names)[rng.choice(len(names), len(rows), p=w / w.sum())]
            ]
        self.n_devices = rng.choice([1, 2, 3], size=n, p=[0.6, 0.3, 0.1])
        self.locale_list, self.zone_list = self.locale.tolist(), self.zone.tolist()
        self.n_devices_list = self.n_devices.tolist()
        activity = rng.lognormal(0.0, 1.0, size=n)
        self.activity_cdf = np.cumsum(activity) / activity.sum()
        self.activity_cdf_list = self.activity_cdf.tolist()
        self.ids_pa = _prefixed("cus-", _scrambled_hex(np.arange(n), seed, 1))
        self.ids = self.ids_pa.to_pylist()
        self.device_hex = _scrambled_hex(np.arange(n * MAX_DEVICES), seed, 2)
        self.device_pa = _prefixed("dev-", self.device_hex)
        self.by_locale = {LOCALES[li].locale: np.nonzero(self.locale == li)[0] for li in range(len(LOCALES))}
        self._pools: dict[tuple[str, ...], np.ndarray] = {}

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return np.minimum(np.searchsorted(self.activity_cdf, rng.random(size), side="right"), self.n - 1)

    def sample_one(self, rng) -> int:
        return min(bisect.bisect_right(self.activity_cdf_list, rng.random()), self.n - 1)

    def sample_in(self, rng: np.random.Generator, locales) -> int:
        key = tuple(locales)
        if key not in self._pools:
            self._pools[key] = np.concatenate([self.by_locale[loc] for loc in key])
        pool = self._pools[key]
        return int(pool[int(rng.integers(len(pool)))])

    def device_id(self, device: int) -> str:
        return "dev-" + self.device_hex[device].decode()


# --------------------------------------------------------------------------------------------------
# landing file sink
# --------------------------------------------------------------------------------------------------


class _LandingFile:
    """One landing file written chunk by chunk to a hidden temporary name, then moved into place."""

    def __init__(self, storage: Storage, rel: str, fmt: str, arrow_schema: pa.Schema, gzip_level: int):
        self.storage, self.rel, self.fmt = storage, rel, fmt
        self.tmp = posixpath.join(posixpath.dirname(rel), f".{posixpath.basename(rel)}.partial")
        self.fh = storage.open(self.tmp, "wb")
        self.out = self.fh
        self.writer = None
        if fmt == "jsonl.gz":
            self.out = gzip.GzipFile(
                fileobj=self.fh, mode="wb", compresslevel=gzip_level, mtime=0, filename=""
            )
        elif fmt == "parquet":
            self.writer = pq.ParquetWriter(self.fh, arrow_schema, compression="zstd")

    def write_table(self, table: pa.Table) -> None:
        self.writer.write_table(table, row_group_size=max(table.num_rows, 1))

    def write_lines(self, lines: pa.Array) -> None:
        offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[
            lines.offset : lines.offset + len(lines) + 1
        ]
        data = lines.buffers()[2]
        if data is not None and offsets[-1] > offsets[0]:
            self.out.write(memoryview(data)[offsets[0] : offsets[-1]])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self.out is not self.fh:
            self.out.close()
        self.fh.close()
        self.storage.fs.mv(self.storage.full(self.tmp), self.storage.full(self.rel))

    def abort(self) -> None:
        try:
            self.fh.close()
        finally:
            self.storage.remove(self.tmp)


# --------------------------------------------------------------------------------------------------
# the generator
# --------------------------------------------------------------------------------------------------


class _Generator:
    def __init__(self, root: str, utterances: int, seed: int, *, file_format: str, days: int, files_per_day: int,
                 start: date, chunk_size: int, customers: int | None, malformed_rate: float, identifier_rate: float,
                 quality_rate: float, parquet_timestamps: str,
                 unreadable_privacy_records: bool, other_purposes: bool, gzip_level: int,
                 storage_options: dict | None):  # fmt: skip
        if file_format not in FILE_FORMATS:
            raise ValueError(f"file_format must be one of {FILE_FORMATS}, not {file_format!r}")
        if parquet_timestamps not in ("string", "timestamp"):
            raise ValueError("parquet_timestamps must be 'string' or 'timestamp'")
        if utterances < 1 or days < 1 or files_per_day < 1 or chunk_size < 1:
            raise ValueError("utterances, days, files_per_day and chunk_size must be positive")
        self.root, self.n, self.seed = root, utterances, seed
        self.file_format, self.days, self.files_per_day, self.start = file_format, days, files_per_day, start
        self.chunk_size = chunk_size
        self.malformed_rate, self.identifier_rate = malformed_rate, identifier_rate
        self.quality_rate = quality_rate
        self.parquet_timestamps = parquet_timestamps
        self.unreadable = unreadable_privacy_records
        self.other_purposes, self.gzip_level = other_purposes, gzip_level
        self.storage = Storage(root, **(storage_options or {}))
        self.policy = Policy()
        self.window_start_us = privacy.to_us(datetime(start.year, start.month, start.day, tzinfo=UTC))
        self.window_end_us = self.window_start_us + days * DAY_US
        self.as_of_us = self.window_end_us + 6 * 3_600_000_000
        self.scale = 1 + utterances // 500_000
        n_customers = customers or max(60, min(utterances // 30, 400_000))
        self.pop = _Population(seed, n_customers, _rng(seed, 1))
        self.zone_offsets = self._zone_offsets()
        self.zone_offset_lists = self.zone_offsets.tolist()
        self.summary = GenerationSummary(
            root=root, seed=seed, utterances=utterances, file_format=file_format, days=days,
            files_per_day=files_per_day, start=start.isoformat(), window_start=privacy.iso(self.window_start_us),
            window_end=privacy.iso(self.window_end_us), as_of=privacy.iso(self.as_of_us),
        )  # fmt: skip
        self.malformed = Counter()
        self.targets: list[tuple[str, int, int]] = []  # (utterance_id, customer index, t_us)
        self.protected: set[int] = set()

    # -- calendar -----------------------------------------------------------------------------------
    def _zone_offsets(self) -> np.ndarray:
        """Minutes east of UTC per (day, zone), taken at noon UTC of each day."""
        out = np.zeros((self.days, len(self.pop.zone_names)), dtype=np.int64)
        for d in range(self.days):
            noon = datetime.combine(self.start + timedelta(days=d), datetime.min.time(), UTC) + timedelta(
                hours=12
            )
            for zi, name in enumerate(self.pop.zone_names):
                out[d, zi] = int(noon.astimezone(ZoneInfo(name)).utcoffset().total_seconds() // 60)
        return out

    def _parquet_schema(self) -> pa.Schema:
        ts = pa.string() if self.parquet_timestamps == "string" else schema.TS
        return pa.schema(
            [pa.field(f.name, ts if f.name == "captured_at" else f.type) for f in schema.UTTERANCE]
        )

    # -- plan ---------------------------------------------------------------------------------------
    def _plan_files(self, rng, cast_rows_by_day: Counter) -> list[_FilePlan]:
        n_files = self.days * self.files_per_day
        weights = np.clip(1 + 0.2 * rng.standard_normal(n_files), 0.6, 1.4)
        # every file keeps room for its share of the day's scenario rows and a few defects
        floor = [
            -(-cast_rows_by_day[i // self.files_per_day] // self.files_per_day) + 4 for i in range(n_files)
        ]
        if self.n < sum(floor):
            raise ValueError(
                f"{self.n} utterances cannot hold the scenario rows over {n_files} files; "
                f"use at least {sum(floor)} utterances or fewer days/files"
            )
        rows = [a + b for a, b in zip(floor, _split_evenly(self.n - sum(floor), weights), strict=True)]
        fmts = FORMATS if self.file_format == "mixed" else (self.file_format,)
        offset = int(rng.integers(len(fmts)))
        plans = []
        for i in range(n_files):
            d, part = divmod(i, self.files_per_day)
            day = self.start + timedelta(days=d)
            fmt = fmts[(i + offset) % len(fmts)]
            rel = f"landing/utterances/dt={day.isoformat()}/utterances-{day:%Y%m%d}-{part:03d}.{fmt}"
            chunks = [self.chunk_size] * (rows[i] // self.chunk_size)
            if rows[i] % self.chunk_size or not chunks:
                chunks.append(rows[i] % self.chunk_size)
            plans.append(_FilePlan(i, d, day, part, fmt, rel, rows[i], chunks))
        return plans

    def _cast(self, rng) -> list[scenarios.CastMember]:
        members = []
        per_member = 1 if self.n < 50_000 else 2
        index = self.pop.n
        for name, (count, locales, n_utts) in scenarios.SCENARIOS.items():
            for j in range(count * self.scale):
                locale = locales[j % len(locales)]
                zones = LOCALE_INFO[locale].zones
                zone = zones[j % len(zones)][0]
                times = scenarios.plan_times(rng, self.window_start_us, self.days, n_utts * per_member)
                cid = _hex_id("cus-", index, self.seed, 1)
                members.append(scenarios.CastMember(index, cid, name, locale, zone, times))
                index += 1
        self.cast_device_ids = {
            m.customer_id: _hex_id("dev-", m.customer_index * MAX_DEVICES, self.seed, 2) for m in members
        }
        return members

    def _place(self, plans: list[_FilePlan], rng) -> None:
        capacity = {p.index: list(p.chunks) for p in plans}

        def put(item: _Planned, eligible: list[_FilePlan]) -> None:
            eligible = [p for p in eligible if max(capacity[p.index]) > 0]
            if not eligible:
                raise ValueError(
                    f"{self.n} utterances over {len(plans)} files leave no room for every scenario and defect; "
                    "use more utterances or fewer days/files"
                )
            free = np.array([sum(capacity[p.index]) for p in eligible], dtype=float)
            best = np.flatnonzero(free == free.max())
            plan = eligible[int(best[int(rng.integers(len(best)))])]
            chunk = int(np.argmax(capacity[plan.index]))
            capacity[plan.index][chunk] -= 1
            plan.planned[chunk].append(item)

        by_day = defaultdict(list)
        for p in plans:
            by_day[p.day_index].append(p)
        for m in self.cast:
            for k, t in enumerate(m.times_us):
                put(
                    _Planned("cast", m.scenario, {"member": m, "k": k, "t_us": t}),
                    by_day[(t - self.window_start_us) // DAY_US],
                )
        for kind in MALFORMED_KINDS:
            eligible = [p for p in plans if kind in malformed_kinds_for(p.fmt, self.parquet_timestamps)]
            if kind == "duplicate_utterance_id":
                eligible = [p for p in eligible if sum(capacity[p.index]) >= 2] or eligible
            if eligible:
                put(_Planned("malformed", kind), eligible)
        for kind in QUALITY_KINDS:
            put(_Planned("quality", kind), plans)
        for kind in VARIANT_KINDS:
            put(_Planned("variant", kind), plans)
        for kind in IDENTIFIER_KINDS:
            put(_Planned("identifier", kind), plans)
        transcript, response = DUPLICATE_PAIRS[int(rng.integers(len(DUPLICATE_PAIRS)))]
        customers = rng.choice(
            self.pop.by_locale["en-US"], size=3, replace=len(self.pop.by_locale["en-US"]) < 3
        )
        self.protected.update(int(c) for c in customers)
        for j, variant in enumerate(("source", "exact", "case_space")):
            put(_Planned("duplicate", variant, {"customer": int(customers[j]), "transcript": transcript,
                                                "response": response}), plans)  # fmt: skip

    # -- special rows -------------------------------------------------------------------------------
    def _base(
        self, rng, fp: _FilePlan, customer: int, locale: str | None = None, t_us: int | None = None
    ) -> dict:
        """A well-formed ordinary row of ``customer`` (fields in SPEC order, id filled in later)."""
        pop = self.pop
        locale = locale or LOCALES[pop.locale_list[customer]].locale
        off = self.zone_offset_lists[fp.day_index][pop.zone_list[customer]]
        day_start = self.window_start_us + fp.day_index * DAY_US
        if t_us is None:
            t_us = day_start + rng.integers(0, DAY_US // 1000) * 1000
        local_minute = (t_us // 60_000_000 + off) % 1440
        weekday = (fp.weekday + ((t_us - day_start) // 60_000_000 + off) // 1440) % 7
        transcript, response = render_one(rng, locale, local_minute, weekday)
        device = customer * MAX_DEVICES + rng.integers(pop.n_devices_list[customer])
        return {
            "utterance_id": None,
            "customer_id": pop.ids[customer],
            "device_id": pop.device_id(device),
            "session_id": f"ses-{self.seed}-{fp.id_prefix}-x{rng.integers(10**9):09d}",
            "turn_index": 0,
            "captured_at": self._format_ts(t_us, off, bisect.bisect_right(_TS_CDF, rng.random())),
            "locale": locale,
            "transcript": transcript,
            "response": response,
            "asr_confidence": round(float(rng.uniform(0.72, 0.99)), 3),
            "_t_us": t_us,
            "_off": off,
        }

    def _day_start(self, fp: _FilePlan) -> int:
        return self.window_start_us + fp.day_index * DAY_US

    def _format_ts(self, t_us: int, off_minutes: int, style: int) -> str:
        dt = privacy.from_us(t_us)
        if style == 3:
            local = dt + timedelta(minutes=off_minutes)
            return local.strftime("%Y-%m-%dT%H:%M:%S") + _offset_text(off_minutes)
        text = dt.strftime("%Y-%m-%dT%H:%M:%S")
        if style == 1:
            return f"{text}.{dt.microsecond // 1000:03d}Z"
        return text + ("+00:00" if style == 2 else "Z")

    def _special(self, rng, fp: _FilePlan, item: _Planned) -> _Special:
        cat, kind = item.category, item.kind
        if cat == "cast":
            m: scenarios.CastMember = item.payload["member"]
            lang = LOCALE_INFO[m.locale].lang
            self._cast_counter[lang] += 1
            transcript, response = cast_utterance(lang, self._cast_counter[lang] - 1)
            t_us = item.payload["t_us"]
            off = int(privacy.from_us(t_us).astimezone(ZoneInfo(m.zone)).utcoffset().total_seconds() // 60)
            rec = {
                "utterance_id": None, "customer_id": m.customer_id, "device_id": self.cast_device_ids[m.customer_id],
                "session_id": f"ses-{self.seed}-{fp.id_prefix}-c{m.customer_index:07d}{item.payload['k']:02d}",
                "turn_index": 0, "captured_at": self._format_ts(t_us, off, 3 if item.payload["k"] % 2 else 0),
                "locale": m.locale, "transcript": transcript, "response": response,
                "asr_confidence": round(float(rng.uniform(0.86, 0.99)), 3),
            }  # fmt: skip
            return _Special(cat, kind, t_us, rec, t_us, cast=m)
        if cat == "duplicate":
            base = self._base(rng, fp, item.payload["customer"], "en-US")
            base["transcript"], base["response"] = item.payload["transcript"], item.payload["response"]
            if kind == "case_space":
                base["transcript"] = base["transcript"].capitalize() + " "
            return self._finish(cat, kind, base)
        if cat == "identifier":
            customer = self.pop.sample_in(rng, identifiers.IDENTIFIER_KINDS[kind])
            base = self._base(rng, fp, customer)
            t, r, echoed = identifiers.identifier_utterance(kind, base["locale"], rng)
            base["transcript"], base["response"] = t, r
            special = self._finish(cat, kind, base)
            special.in_response = echoed
            return special
        if cat == "quality":
            if kind == "disallowed_locale":
                base = self._base(rng, fp, self.pop.sample_in(rng, DISALLOWED_LOCALES))
            else:
                base = self._base(rng, fp, self.pop.sample_one(rng))
            lang = LOCALE_INFO[base["locale"]].lang
            if kind == "empty_transcript":
                base["transcript"], base["response"] = (
                    "",
                    [None, "Sorry, I didn't catch that."][int(rng.integers(2))],
                )
            elif kind == "whitespace_transcript":
                base["transcript"] = [" ", "   ", "\t", " \n "][int(rng.integers(4))]
                base["response"] = None
            elif kind == "transcript_too_short":
                base["transcript"], base["response"] = ["a", "k", "m", "h"][int(rng.integers(4))], None
            elif kind == "transcript_too_long":
                base["transcript"] = _long_text(rng, lang, int(rng.integers(2100, 5200)))
                base["response"] = (
                    "Sorry, that was a bit long for me. Could you say it again in a shorter way?"
                )
            elif kind == "response_too_long":
                base["transcript"] = "read me the whole recipe for lasagna"
                base["response"] = _long_recipe(int(rng.integers(8100, 9500)))
                base["locale"] = base["locale"] if lang == "en" else "en-US"
            elif kind == "low_asr_confidence":
                base["asr_confidence"] = round(float(rng.uniform(0.04, 0.49)), 3)
                if rng.random() < 0.5:
                    words = base["transcript"].split()
                    base["transcript"] = " ".join(w for w in words if rng.random() > 0.3) or words[0]
            return self._finish(cat, kind, base)
        if cat == "variant":
            base = self._base(rng, fp, self.pop.sample_one(rng))
            for name in ("device_id", "session_id", "turn_index"):
                base.pop(name)
            return self._finish(cat, kind, base)
        if cat == "malformed":
            return self._malformed(rng, fp, kind)
        raise ValueError(cat)

    def _finish(self, cat: str, kind: str, base: dict) -> _Special:
        t_us = base.pop("_t_us")
        base.pop("_off", None)
        return _Special(cat, kind, t_us, base, t_us)

    def _malformed(self, rng, fp: _FilePlan, kind: str) -> _Special:
        base = self._base(rng, fp, self.pop.sample_one(rng))
        t_us, off = base.pop("_t_us"), base.pop("_off")
        special = _Special("malformed", kind, t_us, base, None)
        dt = privacy.from_us(t_us)
        if kind == "unparseable_json":
            special.raw = ["truncate", "python_repr", "trailing_comma", "bare_key"][int(rng.integers(4))]
        elif kind == "invalid_utf8":
            special.raw = "invalid_utf8"
            base["transcript"] = base["transcript"] + " \x00BADBYTES\x00"
        elif kind == "wrong_type_turn_index":
            base["turn_index"] = ["three", "first", "one", "2nd"][int(rng.integers(4))]
        elif kind == "wrong_type_asr_confidence":
            base["asr_confidence"] = ["high", "low", "medium"][int(rng.integers(3))]
        elif kind.startswith("missing_"):
            name = kind.removeprefix("missing_")
            if fp.fmt == "parquet":
                base[name] = None
            else:
                base.pop(name)
            if name == "utterance_id":
                special.id_mode = "none"
        elif kind == "null_transcript":
            base["transcript"] = None
        elif kind == "timestamp_without_offset":
            local = dt + timedelta(minutes=off)
            base["captured_at"] = local.strftime(
                ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"][int(rng.integers(2))]
            )
        elif kind == "impossible_date":
            y, mo = fp.day.year, fp.day.month
            bad_day = f"{y}-{mo:02d}-31" if calendar.monthrange(y, mo)[1] < 31 else f"{y}-02-30"
            base["captured_at"] = f"{bad_day}T{dt:%H:%M:%S}Z"
        elif kind == "asr_confidence_out_of_range":
            base["asr_confidence"] = [1.7, -0.2, 1.05, 93.0][int(rng.integers(4))]
        elif kind == "bad_locale":
            base["locale"] = ["english", "de--DE", "??", "123", "en_US.UTF-8"][int(rng.integers(5))]
        elif kind == "duplicate_utterance_id":
            special.id_mode = "repeat"
        if kind not in ("missing_captured_at", "timestamp_without_offset", "impossible_date"):
            special.t_us = t_us
        return special

    def _draw_rate_specials(self, rng, fp: _FilePlan, free: int) -> list[_Planned]:
        if free <= 0:
            return []
        out: list[_Planned] = []
        kinds = malformed_kinds_for(fp.fmt, self.parquet_timestamps)
        budget = [
            ("malformed", self.malformed_rate, {k: 1.0 for k in kinds}),
            ("identifier", self.identifier_rate, _IDENTIFIER_RATES),
            ("quality", self.quality_rate, _QUALITY_RATES),
            ("variant", 0.004, {"optional_fields_absent": 1.0}),
        ]
        for cat, rate, shares in budget:
            count = int(rng.binomial(free, rate)) if rate > 0 else 0
            count = min(count, free - len(out))
            if count <= 0:
                continue
            names = list(shares)
            p = np.array([shares[k] for k in names], dtype=float)
            for k in rng.choice(len(names), size=count, p=p / p.sum()):
                out.append(_Planned(cat, names[int(k)]))
        return out

    # -- bulk rows ----------------------------------------------------------------------------------
    def _bulk(self, rng, fp: _FilePlan, ci: int, n: int) -> dict:
        pop = self.pop
        lengths = np.minimum(rng.geometric(0.65, size=n + 1), 6)
        cum = np.cumsum(lengths)
        k = int(np.searchsorted(cum, n)) + 1
        lengths = lengths[:k].copy()
        lengths[-1] -= int(cum[k - 1]) - n
        sess_customer = pop.sample(rng, k)
        sess_off = self.zone_offsets[fp.day_index][pop.zone[sess_customer]]
        local_sec = rng.choice(24, size=k, p=_DIURNAL) * 3600 + rng.integers(0, 3600, k)
        utc_sec = (local_sec - sess_off * 60) % 86_400
        row_sess = np.repeat(np.arange(k), lengths)
        turn = np.arange(n) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        customer = sess_customer[row_sess]
        off = sess_off[row_sess]
        t_ms = np.minimum(
            utc_sec[row_sess] * 1000 + turn * 12_000 + rng.integers(0, 8_000, n), DAY_US // 1000 - 1
        )
        t_us = self._day_start(fp) + t_ms * 1000
        # text, per locale
        local_ms = t_ms + off * 60_000
        minute = (local_ms % 86_400_000) // 60_000
        weekday = (fp.day.weekday() + local_ms // 86_400_000) % 7
        locale = pop.locale[customer]
        idx_parts, t_parts, r_parts = [], [], []
        for li in np.unique(locale):
            rows = np.nonzero(locale == li)[0]
            t, r = _render_locale(rng, _tables(LOCALES[int(li)].locale), minute[rows], weekday[rows])
            idx_parts.append(rows)
            t_parts.append(t)
            r_parts.append(r)
        inverse = np.empty(n, dtype=np.int64)
        inverse[np.concatenate(idx_parts)] = np.arange(n)
        transcript = pa.concat_arrays(t_parts).take(pa.array(inverse))
        response = pa.concat_arrays(r_parts).take(pa.array(inverse))
        # timestamps as text: Z, Z with millis, +00:00 or the customer's local offset
        style = rng.choice(4, size=n, p=_TS_STYLES)
        shown_off = np.where(style == 3, off, 0)
        shown_ms = t_ms + shown_off * 60_000
        day_shift = shown_ms // 86_400_000 + 1
        dates = pa.array([(fp.day + timedelta(days=d)).isoformat() for d in (-1, 0, 1)])
        suffix_values = sorted({0, *self.zone_offsets[fp.day_index].tolist()})
        suffixes = pa.array(["Z", "+00:00", *(_offset_text(v) for v in suffix_values)])
        suffix_idx = np.where(
            style <= 1, 0, np.where(style == 2, 1, 2 + np.searchsorted(suffix_values, shown_off))
        )
        millis = pc.if_else(
            pa.array(style == 1),
            _join(".", pc.utf8_lpad(pc.cast(pa.array(t_ms % 1000), pa.string()), 3, "0")),
            "",
        )
        captured_text = _join(
            dates.take(pa.array(day_shift)),
            _hms_pool().take(pa.array((shown_ms % 86_400_000) // 1000)),
            millis,
            suffixes.take(pa.array(suffix_idx)),
        )
        device = customer * MAX_DEVICES + (rng.random(n) * pop.n_devices[customer]).astype(np.int64)
        session_prefix = f"ses-{self.seed}-{fp.id_prefix}-{ci:03d}"
        sessions = _join(session_prefix, pc.utf8_lpad(pc.cast(pa.array(np.arange(k)), pa.string()), 6, "0"))
        confidence = np.round(np.clip(rng.beta(12.0, 1.1, size=n), 0.05, 0.999), 3)
        return {
            "customer": customer,
            "t_us": t_us,
            "customer_id": pop.ids_pa.take(pa.array(customer)),
            "device_id": pop.device_pa.take(pa.array(device)),
            "session_id": sessions.take(pa.array(row_sess)),
            "turn_index": pa.array(turn, pa.int64()),
            "captured_text": captured_text,
            "locale": pa.array([info.locale for info in LOCALES]).take(pa.array(locale)),
            "transcript": transcript,
            "response": response,
            "asr_confidence": pa.array(confidence, pa.float64()),
        }

    # -- chunks -------------------------------------------------------------------------------------
    def _chunk(self, fp: _FilePlan, ci: int, n: int, first_row: int, sink: _LandingFile) -> None:
        rng = _rng(self.seed, 3, fp.index, ci)
        planned = fp.planned.get(ci, [])
        items = planned + self._draw_rate_specials(rng, fp, n - len(planned))
        fast = _FastRandom(rng)
        specials = [self._special(fast, fp, item) for item in items]
        n_bulk = n - len(specials)
        bulk = self._bulk(rng, fp, ci, n_bulk) if n_bulk else None
        keys = np.concatenate(
            [bulk["t_us"] if bulk else np.zeros(0, np.int64), [s.order_us for s in specials]]
        )
        order = np.argsort(keys.astype(np.int64), kind="stable")
        position = np.empty(n, dtype=np.int64)
        position[order] = np.arange(n)
        prefix = f"utt-{self.seed}-{fp.id_prefix}-"
        target = int(rng.integers(n_bulk)) if n_bulk else None
        # a repeated id copies a well-formed ordinary or quality row's id, never a scenario row's
        ordinary = np.sort(np.delete(position[:n_bulk], target)) if n_bulk else np.zeros(0, np.int64)
        reusable = [ordinary]
        for j, s in enumerate(specials):
            p = int(position[n_bulk + j])
            if s.id_mode == "assign":
                s.record["utterance_id"] = f"{prefix}{first_row + p:07d}"
                if s.category in ("quality", "variant"):  # well-formed rows only
                    reusable.append(np.array([p]))
            elif s.id_mode == "none":
                if fp.fmt == "parquet":
                    s.record["utterance_id"] = None
                else:
                    s.record.pop("utterance_id", None)
        candidates = np.sort(np.concatenate(reusable))
        for j, s in enumerate(specials):
            if s.id_mode != "repeat":
                continue
            p = int(position[n_bulk + j])
            k = int(np.searchsorted(candidates, p)) - 1
            if k < 0 and not len(ordinary):  # nothing to repeat in this chunk: an ordinary row after all
                s.record["utterance_id"], s.category = f"{prefix}{first_row + p:07d}", "ordinary"
                continue
            # the first row holding the id is earlier in the file; failing that, an ordinary row after it
            q = int(candidates[k] if k >= 0 else ordinary[0])
            s.record["utterance_id"] = f"{prefix}{first_row + q:07d}"
            self.summary.repeated_utterance_ids.append(s.record["utterance_id"])
        bulk_ids = None
        if bulk:
            bulk_ids = _join(
                prefix, pc.utf8_lpad(pc.cast(pa.array(position[:n_bulk] + first_row), pa.string()), 7, "0")
            )
            customer = int(bulk["customer"][target])
            self.targets.append((bulk_ids[target].as_py(), customer, int(bulk["t_us"][target])))
        if fp.fmt == "parquet":
            sink.write_table(self._parquet_chunk(bulk, bulk_ids, specials).take(pa.array(order)))
        else:
            sink.write_lines(self._jsonl_chunk(bulk, bulk_ids, specials).take(pa.array(order)))
        self._account(fp, specials)

    def _parquet_chunk(self, bulk, bulk_ids, specials: list[_Special]) -> pa.Table:
        target = self._parquet_schema()
        rows = []
        for s in specials:
            row = {name: s.record.get(name) for name in UTTERANCE_FIELDS}
            if self.parquet_timestamps == "timestamp":
                row["captured_at"] = None if s.t_us is None else privacy.from_us(s.t_us)
            rows.append(row)
        tables = [pa.Table.from_pylist(rows, schema=target)] if rows else []
        if bulk:
            captured = (
                bulk["captured_text"]
                if self.parquet_timestamps == "string"
                else pa.array(bulk["t_us"], schema.TS)
            )
            columns = {
                **{k: bulk[k] for k in UTTERANCE_FIELDS if k in bulk},
                "utterance_id": bulk_ids,
                "captured_at": captured,
            }
            tables.insert(0, pa.Table.from_pydict({k: columns[k] for k in UTTERANCE_FIELDS}, schema=target))
        return pa.concat_tables(tables)

    def _jsonl_chunk(self, bulk, bulk_ids, specials: list[_Special]) -> pa.Array:
        arrays = []
        if bulk:
            quoted_response = pc.if_else(
                pc.is_null(bulk["response"]), "null", _join('"', bulk["response"], '"')
            )
            arrays.append(
                _join(
                    '{"utterance_id": "', bulk_ids,
                    '", "customer_id": "', bulk["customer_id"],
                    '", "device_id": "', bulk["device_id"],
                    '", "session_id": "', bulk["session_id"],
                    '", "turn_index": ', pc.cast(bulk["turn_index"], pa.string()),
                    ', "captured_at": "', bulk["captured_text"],
                    '", "locale": "', bulk["locale"],
                    '", "transcript": "', bulk["transcript"],
                    '", "response": ', quoted_response,
                    ', "asr_confidence": ', pc.cast(bulk["asr_confidence"], pa.string()),
                    "}\n",
                ).cast(pa.binary())
            )  # fmt: skip
        if specials:
            arrays.append(pa.array([_special_line(s) for s in specials], pa.binary()))
        return pa.concat_arrays(arrays)

    def _account(self, fp: _FilePlan, specials: list[_Special]) -> None:
        s = self.summary
        for sp in specials:
            if sp.category == "malformed":
                self.malformed[sp.kind] += 1
                per_file = s.malformed_by_file.setdefault(fp.rel, {})
                per_file[sp.kind] = per_file.get(sp.kind, 0) + 1
            elif sp.category == "quality":
                s.quality_by_kind[sp.kind] = s.quality_by_kind.get(sp.kind, 0) + 1
            elif sp.category == "variant":
                s.variants_by_kind[sp.kind] = s.variants_by_kind.get(sp.kind, 0) + 1
            elif sp.category == "identifier":
                s.identifiers_by_kind[sp.kind] = s.identifiers_by_kind.get(sp.kind, 0) + 1
                s.identifiers_in_responses += int(sp.in_response)
            elif sp.category == "duplicate" and sp.kind != "source":
                s.duplicates_planted += 1
            elif sp.category == "cast":
                self._cast_rows[sp.cast.customer_id].append(
                    (sp.t_us, sp.record["utterance_id"], sp.record["captured_at"], fp.rel)
                )

    # -- run ----------------------------------------------------------------------------------------
    def run(self) -> GenerationSummary:
        plan_rng = _rng(self.seed, 2)
        self.cast = self._cast(plan_rng)
        per_day = Counter((t - self.window_start_us) // DAY_US for m in self.cast for t in m.times_us)
        plans = self._plan_files(plan_rng, per_day)
        self._cast_counter = Counter()
        self._cast_rows = defaultdict(list)
        self._place(plans, plan_rng)
        for fp in plans:
            sink = _LandingFile(self.storage, fp.rel, fp.fmt, self._parquet_schema(), self.gzip_level)
            try:
                first = 0
                for ci, n in enumerate(fp.chunks):
                    if n:
                        self._chunk(fp, ci, n, first, sink)
                    first += n
                sink.close()
            except BaseException:
                sink.abort()
                raise
            self.summary.rows_by_file[fp.rel] = fp.rows
            self.summary.rows_by_format[fp.fmt] = self.summary.rows_by_format.get(fp.fmt, 0) + fp.rows
            self.summary.utterance_files.append(fp.rel)
        self.summary.malformed_by_kind = {k: self.malformed[k] for k in MALFORMED_KINDS if self.malformed[k]}
        self._write_privacy()
        return self.summary

    def _write_privacy(self) -> None:
        s, rng = self.summary, _rng(self.seed, 4)
        for m in self.cast:  # rows were written in file order; line them up with the planned times
            rows = sorted(self._cast_rows[m.customer_id])
            assert [r[0] for r in rows] == sorted(m.times_us), m.customer_id
            m.utterance_ids, m.captured_at, m.files = (
                [r[1] for r in rows],
                [r[2] for r in rows],
                [r[3] for r in rows],
            )
        story = scenarios.script_cast(
            self.cast, self.window_start_us, self.as_of_us, self.policy.is_opt_in_locale
        )
        batch = privacy.PrivacyBatch(self.seed, "landing")
        for e in story.consent:
            batch.consent(e["customer_id"], e["status"], e["effective_us"], self.as_of_us, zone=e["zone"],
                          lag_us=int(rng.integers(1_000_000, 900_000_000)))  # fmt: skip
        for d in story.deletions:
            batch.deletion(d["customer_id"], d["scope"], d["requested_us"], zone=d["zone"], from_us_=d.get("from_us"),
                           to_us_=d.get("to_us"), utterance_ids=d.get("utterance_ids"))  # fmt: skip
        for bad in story.malformed_consent:
            privacy.malformed_consent(batch, bad["customer_id"], bad["problem"], bad["at"], bad["zone"])
        for bad in story.malformed_deletions:
            privacy.malformed_deletion(batch, bad["customer_id"], bad["at"])
        # an utterances request also naming an id the pipeline never saw (deleted upstream long ago)
        unknown = f"utt-{self.seed}-{self.start - timedelta(days=400):%Y%m%d}00-0000001"
        for d in story.deletions:
            if d["scope"] == "utterances":
                batch.deletion(
                    d["customer_id"], "utterances", d["requested_us"] + 60_000_000, utterance_ids=[unknown]
                )
                s.unknown_deleted_utterance_ids = [unknown]
                break
        # ghosts: privacy records for customers with no utterances at all
        ghosts = [_hex_id("cus-", 10**9 + j, self.seed, 1) for j in range(3 * self.scale)]
        for j, cid in enumerate(ghosts):
            at = self.window_start_us + int(rng.integers(0, self.window_end_us - self.window_start_us))
            batch.consent(cid, ["opted_out", "opted_in"][j % 2], at, self.as_of_us, zone="Europe/Berlin")
            if j % 3 == 0:
                batch.deletion(cid, "all", self.as_of_us - 3_600_000_000)
            elif j % 3 == 1:
                batch.deletion(
                    cid, "range", self.as_of_us - 3_600_000_000, from_us_=self.window_start_us, to_us_=at
                )
        s.ghost_customers = ghosts
        # the ordinary population
        ordinary = [i for i in range(self.pop.n) if i not in self.protected]
        cids = [self.pop.ids[i] for i in ordinary]
        zones = [self.pop.zone_names[int(self.pop.zone[i])] for i in ordinary]
        eu = np.array(
            [self.policy.is_opt_in_locale(LOCALES[int(self.pop.locale[i])].locale) for i in ordinary], bool
        )
        consent_counts = privacy.background_events(batch, rng, cids, eu, zones, self.window_start_us,
                                                   self.window_end_us, self.as_of_us, self.other_purposes)  # fmt: skip
        targets = [(uid, self.pop.ids[c], t) for uid, c, t in self.targets if c not in self.protected]
        deletion_counts = privacy.background_deletions(batch, rng, cids, zones, self.window_start_us,
                                                       self.window_end_us, self.as_of_us, targets)  # fmt: skip
        if self.unreadable:
            privacy.unreadable_lines(batch, self.as_of_us - 1_800_000_000)
        stamp = f"{privacy.from_us(self.as_of_us):%Y%m%dT%H%M%SZ}"
        consent_rel = f"landing/consent/consent-{stamp}.jsonl"
        deletion_rel = f"landing/deletions/deletions-{stamp}.jsonl"
        consent_lines, deletion_lines = batch.sorted_lines("consent"), batch.sorted_lines("deletion")
        self.storage.write_bytes(consent_rel, b"".join(consent_lines))
        self.storage.write_bytes(deletion_rel, b"".join(deletion_lines))
        s.consent_files, s.deletion_files = [consent_rel], [deletion_rel]
        if self.unreadable:
            for rel, lines in ((consent_rel, consent_lines), (deletion_rel, deletion_lines)):
                for no, line in enumerate(lines, 1):
                    if not _parses(line):
                        s.unreadable_privacy_records.append({"file": rel, "line": no})
        s.consent_events = {
            "cast": len(story.consent), "ghost": len(ghosts), **consent_counts,
            "malformed_readable_customer": len(story.malformed_consent), "unreadable": int(self.unreadable),
        }  # fmt: skip
        s.deletion_requests = {
            "cast": len(story.deletions) + int(bool(s.unknown_deleted_utterance_ids)),
            "ghost": sum(1 for j in range(len(ghosts)) if j % 3 != 2), **deletion_counts,
            "malformed_readable_customer": len(story.malformed_deletions), "unreadable": int(self.unreadable),
        }  # fmt: skip
        # scenario lists
        fmt = privacy.iso
        by = defaultdict(list)
        for m in self.cast:
            by[m.scenario].append(m)
        s.retroactive_opt_out = [m.customer_id for m in by["retroactive_opt_out"]]
        s.eu_no_consent = [m.customer_id for m in by["eu_no_consent"]]
        s.eu_opted_in = [m.customer_id for m in by["eu_opted_in"]]
        s.us_untouched = [m.customer_id for m in by["us_untouched"]]
        s.deleted_all = [m.customer_id for m in by["deleted_all"]]
        for name, target in (("opt_out_then_in", s.opt_out_then_in), ("eu_late_opt_in", s.eu_late_opt_in),
                             ("deleted_all_partial", s.deleted_all_partial), ("deleted_range", s.deleted_range)):  # fmt: skip
            for m in by[name]:
                lo, hi = story.windows[m.customer_id]
                target.append(Window(m.customer_id, fmt(lo), fmt(hi)))
        s.deleted_utterance_ids = story.deleted_utterance_ids + [t[0] for t in targets]
        s.held_back = [m.customer_id for name in scenarios.HELD_BACK_SCENARIOS for m in by[name]]
        s.cast_utterances = [
            CastUtterance(uid, m.customer_id, m.scenario, ts, f, story.expected[uid])
            for m in self.cast
            for uid, ts, f in zip(m.utterance_ids, m.captured_at, m.files, strict=True)
        ]


def _special_line(s: _Special) -> bytes:
    record = {k: v for k, v in s.record.items() if not k.startswith("_")}
    text = json.dumps(record, ensure_ascii=False)
    if s.raw == "truncate":
        return (text[: max(10, int(len(text) * 0.6))] + "\n").encode("utf-8")
    if s.raw == "python_repr":
        return (repr(record) + "\n").encode("utf-8")
    if s.raw == "trailing_comma":
        return (text[:-1] + ", }\n").encode("utf-8")
    if s.raw == "bare_key":
        return (text.replace('"locale":', "locale:", 1) + "\n").encode("utf-8")
    data = (text + "\n").encode("utf-8")
    if s.raw == "invalid_utf8":
        data = data.replace(b"\\u0000BADBYTES\\u0000", b"caf\xc3 cr\xe8me \xff\xfe")
    return data


def _parses(line: bytes) -> bool:
    try:
        json.loads(line.decode("utf-8"))
        return True
    except (UnicodeDecodeError, ValueError):
        return False


_LONG = {
    "en": ["so basically what happened was we went to the store and they did not have the thing",
           "and then i said to her you know we could just go tomorrow instead", "but she wanted to go today",
           "which i understand because the party is on saturday", "take a note that the plumber comes thursday"],
    "de": ["also wir waren gestern im laden und die hatten das einfach nicht mehr",
           "und dann habe ich gesagt wir können auch morgen gehen", "aber sie wollte unbedingt heute"],
    "fr": ["alors en fait on est allés au magasin et ils n'avaient plus rien",
           "et puis j'ai dit qu'on pouvait y retourner demain", "mais elle voulait absolument y aller aujourd'hui"],
    "es": ["pues resulta que fuimos a la tienda y no les quedaba nada",
           "y entonces le dije que podíamos volver mañana", "pero ella quería ir hoy sin falta"],
}  # fmt: skip


def _long_text(rng, lang: str, length: int) -> str:
    """An over-long transcript: rambling dictation or an ASR loop on a stuck word."""
    sentences = _LONG.get(lang, _LONG["en"])
    if rng.random() < 0.3:
        word = ["the", "um", "okay", "yeah"][int(rng.integers(4))]
        return " ".join([word] * (length // (len(word) + 1) + 1))[:length]
    out: list[str] = []
    total = 0
    while total < length:
        out.append(sentences[int(rng.integers(len(sentences)))])
        total += len(out[-1]) + 1
    return " ".join(out)


def _long_recipe(length: int) -> str:
    steps = ["Preheat the oven to 375 degrees.", "Brown one pound of ground beef with a chopped onion.",
             "Stir in 24 ounces of marinara sauce and simmer for 10 minutes.",
             "Mix 15 ounces of ricotta with one egg and half a cup of parmesan.",
             "Layer noodles, sauce, ricotta and mozzarella, and repeat three times.",
             "Cover with foil and bake for 25 minutes, then uncover and bake 25 more."]  # fmt: skip
    out: list[str] = []
    total = 0
    while total < length:
        out.append(f"Step {len(out) + 1}. {steps[len(out) % len(steps)]}")
        total += len(out[-1]) + 1
    return " ".join(out)


# --------------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------------


def generate_landing(
    root: str,
    utterances: int,
    seed: int,
    *,
    file_format: str = "mixed",
    days: int = 3,
    files_per_day: int = 2,
    start: date = DEFAULT_START,
    chunk_size: int = 100_000,
    customers: int | None = None,
    malformed_rate: float = 0.01,
    identifier_rate: float = 0.03,
    quality_rate: float = 0.03,
    parquet_timestamps: str = "string",
    unreadable_privacy_records: bool = False,
    other_purposes: bool = True,
    gzip_level: int = 6,
    storage_options: dict | None = None,
) -> GenerationSummary:
    """Write a synthetic landing zone under ``root`` (a local path or ``s3://`` URL) and describe it.

    ``utterances`` rows are spread over ``days`` ``dt=`` partitions from ``start`` and
    ``files_per_day`` files each, in ``file_format`` (``mixed`` rotates Parquet, JSONL and
    gzipped JSONL). Every malformed kind a file format can carry, every quality defect,
    identifier kind and privacy scenario appears at least once; on top of that each row is
    malformed / carries an identifier / fails a quality rule with the given rates.
    ``parquet_timestamps="timestamp"`` writes ``captured_at`` as a tz-aware Parquet timestamp
    instead of ISO text. ``unreadable_privacy_records`` adds one consent and one deletion line
    nobody can parse (SPEC §4: publishing fails closed until someone deals with them).
    """
    generator = _Generator(
        root, utterances, seed, file_format=file_format, days=days, files_per_day=files_per_day, start=start,
        chunk_size=chunk_size, customers=customers, malformed_rate=malformed_rate, identifier_rate=identifier_rate,
        quality_rate=quality_rate, parquet_timestamps=parquet_timestamps,
        unreadable_privacy_records=unreadable_privacy_records, other_purposes=other_purposes, gzip_level=gzip_level,
        storage_options=storage_options,
    )  # fmt: skip
    return generator.run()


def generate_privacy_updates(
    root: str,
    summary: GenerationSummary,
    seed: int,
    *,
    at: datetime | None = None,
    customers: list[str] | None = None,
    storage_options: dict | None = None,
) -> PrivacyUpdateSummary:
    """Write a second consent file and deletion file, as they would arrive after a first publish.

    Customers who had published utterances (the ``us_untouched`` and ``eu_opted_in`` cast) opt
    out (retroactively) or ask for deletion with every scope: ``all``, ``range`` (their first
    utterance only) and ``utterances`` (one id). ``customers`` adds more customers known to be
    published (e.g. read from the governance store): they alternate between opting out and
    deleting everything. New files are named after ``at`` (default: a day after ``summary.as_of``).
    """
    if at is not None and at.tzinfo is None:
        raise ValueError("at must carry a UTC offset")
    storage = Storage(root, **(storage_options or {}))
    at_us = privacy.to_us(at.astimezone(UTC)) if at else privacy.parse_iso(summary.as_of) + DAY_US
    rng = _rng(seed, 5, at_us // 1_000_000)
    batch = privacy.PrivacyBatch(seed, f"update-{at_us}")
    by_customer: dict[str, list[CastUtterance]] = defaultdict(list)
    for u in summary.cast_utterances:
        by_customer[u.customer_id].append(u)
    for rows in by_customer.values():
        rows.sort(key=lambda u: privacy.parse_iso(u.captured_at))
    untouched = list(summary.us_untouched)
    group = max(1, len(untouched) // 5)
    roles = [untouched[i * group : (i + 1) * group] for i in range(4)]
    result = PrivacyUpdateSummary(
        at=privacy.iso(at_us),
        consent_file=f"landing/consent/consent-{privacy.from_us(at_us):%Y%m%dT%H%M%SZ}.jsonl",
        deletion_file=f"landing/deletions/deletions-{privacy.from_us(at_us):%Y%m%dT%H%M%SZ}.jsonl",
    )

    def lag() -> int:
        return int(rng.integers(1_000_000, 600_000_000))

    for cid in [*roles[0], *summary.eu_opted_in[:group]]:
        batch.consent(cid, "opted_out", at_us - 2 * lag(), at_us, lag_us=lag(), source="privacy_dashboard")
        result.opted_out.append(cid)
        result.expected.update({u.utterance_id: schema.OPTED_OUT for u in by_customer[cid]})
    for cid in roles[1]:
        batch.deletion(cid, "all", at_us - lag())
        result.deleted_all.append(cid)
        result.expected.update({u.utterance_id: schema.DELETION_REQUESTED for u in by_customer[cid]})
    for cid in roles[2]:
        rows = by_customer[cid]
        lo = privacy.parse_iso(rows[0].captured_at) - 60_000_000
        hi = (
            (privacy.parse_iso(rows[0].captured_at) + privacy.parse_iso(rows[1].captured_at)) // 2
            if len(rows) > 1
            else lo + 120_000_000
        )
        batch.deletion(cid, "range", at_us - lag(), from_us_=lo, to_us_=hi)
        result.deleted_range.append(Window(cid, privacy.iso(lo), privacy.iso(hi)))
        result.expected[rows[0].utterance_id] = schema.DELETION_REQUESTED
    for cid in roles[3]:
        first = by_customer[cid][0].utterance_id
        batch.deletion(cid, "utterances", at_us - lag(), utterance_ids=[first])
        result.deleted_utterance_ids.append(first)
        result.expected[first] = schema.DELETION_REQUESTED
    for j, cid in enumerate(customers or []):
        if j % 2 == 0:
            batch.consent(cid, "opted_out", at_us - 2 * lag(), at_us, lag_us=lag())
            result.opted_out.append(cid)
        else:
            batch.deletion(cid, "all", at_us - lag())
            result.deleted_all.append(cid)
    ghost = _hex_id("cus-", 2 * 10**9 + at_us // 1_000_000 % 10**6, seed, 1)
    batch.consent(ghost, "opted_out", at_us - lag(), at_us)
    batch.deletion(ghost, "all", at_us - lag())
    result.ghost_customers.append(ghost)
    storage.write_bytes(result.consent_file, b"".join(batch.sorted_lines("consent")))
    storage.write_bytes(result.deletion_file, b"".join(batch.sorted_lines("deletion")))
    return result

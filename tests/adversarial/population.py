"""Hostile-but-plausible privacy populations, and the truth about them.

A ``Population`` scripts customers whose ids come in many scripts and cases, utterances written in
every landing encoding (JSON with and without ``\\u`` escapes, gzip, Parquet) with the customer id
spelled a different way each time (NFD, surrounding white space, no-break spaces), malformed rows
(an invisible character in the id, a time without offset, a capture in the future, a lone
surrogate escape), and privacy records spelled as upstream systems spell them (``Model_Training``,
`` OPTED_OUT``, ``ALL``), unreadable ones, and one a PostgreSQL store cannot take (a NUL byte).

Alongside it keeps the truth, from its own script and never from the product: which records are
valid, which customers are held (an unreadable record and no valid one after it), which rows are
malformed, and when each file landed. ``tests/privacy_oracle.py`` turns that truth into the reason
each row may not be used; ``tests/adversarial/invariants.py`` checks the lake against it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pyarrow as pa

from utterance_governance.privacy import canonical_id

ID_SHAPES = ("c-{n}", "Zoë-{n}", "顧客{n}", "acct+{n}@example", "Ab-{n}", "ab-{n}", "Ame\u0301lie-{n}")
SPELLINGS = (
    lambda c: c,
    lambda c: unicodedata.normalize("NFD", c),
    lambda c: f" {c}",
    lambda c: f"{c}\t",
    lambda c: f"\u00a0{c}\u3000",
)
US, EU = ("en-US", "en-GB", "es-US"), ("de-DE", "fr-FR", "nl-NL")
MALFORMED_KINDS = ("invisible_id", "naive_time", "future_capture", "lone_surrogate")


_LETTERS = str.maketrans("0123456789", "ghijklmnop")


def iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Row:
    uid: str  # canonical
    customer: str | None  # canonical; None: the row's customer id is unusable
    captured_at: datetime
    locale: str
    marker: str  # a word only this row's transcript holds: searched for in every copy
    file: str = ""
    malformed: str | None = None

    def record(self, landed_at: datetime | None) -> dict:
        return {"utterance_id": self.uid, "customer_id": self.customer, "captured_at": self.captured_at,
                "landed_at": landed_at, "locale": self.locale}  # fmt: skip


@dataclass
class Population:
    seed: int
    backend: str  # the store's backend: what a database refuses differs
    rng: random.Random = field(init=False)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    customers: dict[str, str] = field(default_factory=dict)  # canonical id -> locale
    rows: list[Row] = field(default_factory=list)
    consent: list[dict] = field(default_factory=list)  # valid events, canonical
    deletions: list[dict] = field(default_factory=list)  # valid requests, canonical
    # the opt-out each unreadable consent record may be, from the times it states (none is acknowledged)
    doubts: list[dict] = field(default_factory=list)
    # (customer, "consent" | "deletion", record id, the time the record states): open holds
    holds: set[tuple[str, str, str | None, datetime | None]] = field(default_factory=set)
    _files: int = 0
    _records: int = 0
    _made: int = 0  # rows generated so far: each gets its own id and marker

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        for n, shape in enumerate(ID_SHAPES * 3):
            customer = canonical_id(shape.format(n=f"{self.seed}{n}"))
            self.customers[customer] = self.rng.choice(US if n % 3 else EU)

    # --- utterances ---------------------------------------------------------------------------------
    def new_rows(
        self,
        per_customer: tuple[int, int],
        day: datetime,
        customers: list[str] | None = None,
        spread_minutes: int = 1400,
    ) -> list[Row]:
        """Rows of each customer captured within ``spread_minutes`` after ``day``."""
        out = []
        for customer in customers or list(self.customers):
            for _ in range(self.rng.randint(*per_customer)):
                k = self._made
                self._made += 1
                uid = canonical_id(
                    self.rng.choice(
                        [f"u-{self.seed}-{k}", f"ü-{self.seed}-{k}", f"Ame\u0301-{self.seed}-{k}"]
                    )
                )
                # letters only: a run of digits in a word could read as someone's number
                marker = "mk" + hashlib.sha256(f"{self.seed}/{k}".encode()).hexdigest()[:12].translate(
                    _LETTERS
                )
                captured = day + timedelta(minutes=self.rng.randint(0, spread_minutes))
                out.append(Row(uid, customer, captured, self.customers[customer], marker))
        return out

    def malformed_rows(self, customers: list[str], day: datetime) -> list[Row]:
        out = []
        for kind, customer in zip(MALFORMED_KINDS, customers, strict=False):
            row = self.new_rows((1, 1), day, [customer])[0]
            row.malformed = kind
            if kind == "invisible_id":
                row.customer = None  # whose it is cannot be read
            if kind == "future_capture":
                row.captured_at = self.now + timedelta(days=2)
            out.append(row)
        return out

    def _line(self, row: Row, spelled: str) -> bytes:
        record = {"utterance_id": row.uid, "customer_id": spelled, "device_id": "dev-1", "session_id": "s-1",
                  "turn_index": 0, "captured_at": iso(row.captured_at), "locale": row.locale,
                  "transcript": f"please remember {row.marker} for my shopping trip", "response": "Noted.",
                  "asr_confidence": 0.92}  # fmt: skip
        if row.malformed == "naive_time":
            record["captured_at"] = iso(row.captured_at).rstrip("Z")
        if row.malformed == "invisible_id":
            record["customer_id"] = f"{spelled.strip()}\u200b"
        line = json.dumps(record, ensure_ascii=self.rng.random() < 0.5).encode()
        if row.malformed == "lone_surrogate":
            line = line.replace(b'"Noted."', b'"Not\\ud800ed."')
        return line

    def land(self, storage, rows: list[Row], day: str, files: int = 3) -> list[str]:
        """Write ``rows`` into ``files`` landing files of mixed encodings under ``dt=<day>``; return their paths."""
        groups: list[list[Row]] = [[] for _ in range(files)]
        for row in rows:
            groups[self.rng.randrange(files)].append(row)
        paths = []
        for group in groups:
            if not group:
                continue
            self._files += 1
            encoding = self.rng.choice(["jsonl", "jsonl.gz", "parquet"] if not any(r.malformed for r in group) else ["jsonl", "jsonl.gz"])  # fmt: skip
            # names that flatten alike on purpose: eu__f.jsonl and eu/f.jsonl
            name = self.rng.choice([f"f{self._files}", f"eu__f{self._files}", f"eu/f{self._files}"])
            path = f"landing/utterances/dt={day}/{name}.{encoding}"
            spelled = [self.rng.choice(SPELLINGS)(r.customer or self._any_customer()) for r in group]
            if encoding == "parquet":
                table = pa.Table.from_pylist(
                    [json.loads(self._line(r, s)) for r, s in zip(group, spelled, strict=True)]
                )
                storage.write_parquet(path, table)
            else:
                data = b"\n".join(self._line(r, s) for r, s in zip(group, spelled, strict=True)) + b"\n"
                storage.write_bytes(path, gzip.compress(data) if encoding.endswith(".gz") else data)
            for row in group:
                row.file = path
            paths.append(path)
        self.rows += rows
        return paths

    def _any_customer(self) -> str:
        return next(iter(self.customers))

    # --- privacy records ----------------------------------------------------------------------------
    def _spell(self, customer: str) -> str:
        return self.rng.choice(SPELLINGS)(customer)

    def consent_event(
        self,
        customer: str,
        status: str,
        effective: datetime,
        *,
        source: str = "app",
        recorded: datetime | None = None,
    ) -> dict:
        """A consent event, recorded when it took effect (``recorded``: later, a backdated one)."""
        self._records += 1
        recorded = recorded or min(effective, self.now)
        event = {"event_id": f"e-{self.seed}-{self._records}", "customer_id": customer, "purpose": "model_training",
                 "status": status, "effective_at": effective, "recorded_at": recorded, "source": source}  # fmt: skip
        if "\x00" not in source or self.backend != "postgresql":
            self.consent.append(event)
            # a valid event after an unreadable one releases it: the same event, or one recorded after the
            # time the unreadable one states (any, when it states none)
            self.holds -= {h for h in self.holds if h[:2] == (customer, "consent")
                           and (h[2] == event["event_id"] or h[3] is None or recorded > h[3])}  # fmt: skip
        else:  # the store refuses it: an unreadable record, so the customer is held
            self.holds.add((customer, "consent", event["event_id"], None))
            self._doubt(event)
        return event

    def _doubt(self, event: dict) -> None:
        """An unreadable consent record counts as the opt-out it may be (from the times it states) until
        it is acknowledged, its hold released or not: the store's ``doubt_opt_outs``."""
        self.doubts.append({**event, "event_id": f"doubt-{event['event_id']}", "status": "opted_out"})

    def deletion(self, customer: str, scope: str, *, ids: list[str] | None = None,
                 start: datetime | None = None, end: datetime | None = None, at: datetime | None = None) -> dict:  # fmt: skip
        self._records += 1
        request = {"request_id": f"d-{self.seed}-{self._records}", "customer_id": customer, "scope": scope,
                   "from": start, "to": end, "utterance_ids": ids, "requested_at": at or datetime.now(UTC)}  # fmt: skip
        self.deletions.append(request)
        # only the same request releases an unreadable one's hold: no other covers all it might
        self.holds -= {
            h for h in self.holds if h[:2] == (customer, "deletion") and h[2] == request["request_id"]
        }
        return request

    def corrected(self, event: dict, status: str) -> dict:
        """The same event id sent again with another status: a record that contradicts the stored
        one is doubt, and holds its customer (the stored one stays as it was)."""
        self.holds.add((event["customer_id"], "consent", event["event_id"], None))
        self._doubt(event)  # the times it states are the event's own
        return {**event, "status": status}

    def unreadable(self, customer: str, kind: str = "consent") -> bytes:
        """An unreadable record that still names its customer: they are held back."""
        self._records += 1
        # a consent record states its time (now) and id; the deletion is cut before either can be read
        self.holds.add((customer, kind, f"e-{self.seed}-{self._records}", self.now) if kind == "consent"
                       else (customer, kind, None, None))  # fmt: skip
        if kind == "consent":
            self._doubt({"event_id": f"e-{self.seed}-{self._records}", "customer_id": customer,
                         "purpose": "model_training", "effective_at": self.now, "recorded_at": self.now})  # fmt: skip
        spelled = json.dumps(self._spell(customer))
        if kind == "consent":
            return (f'{{"event_id": "e-{self.seed}-{self._records}", "customer_id": {spelled}, "purpose": "model_training", '
                    f'"status": "maybe later", "effective_at": "{iso(self.now)}", "recorded_at": "{iso(self.now)}"}}').encode()  # fmt: skip
        return (
            f'{{"request_id": "d-{self.seed}-{self._records}", "customer_id": {spelled}, "scope": '.encode()
        )

    def write_privacy(self, storage, consent: list[dict] = (), deletions: list[dict] = (),
                      unreadable: list[tuple[str, bytes]] = ()) -> None:  # fmt: skip
        """Land records as upstream systems spell them: enumerations in any case, ids in any spelling."""
        self._files += 1
        lines = {"consent": [], "deletions": []}
        for event in consent:
            spelled = {**event, "customer_id": self._spell(event["customer_id"]),
                       "purpose": self.rng.choice(["model_training", "Model_Training", " MODEL_TRAINING"]),
                       "status": self.rng.choice([event["status"], event["status"].upper() + " "]),
                       "effective_at": iso(event["effective_at"]), "recorded_at": iso(event["recorded_at"])}  # fmt: skip
            lines["consent"].append(json.dumps(spelled, ensure_ascii=self.rng.random() < 0.5).encode())
        for request in deletions:
            spelled = {**request, "customer_id": self._spell(request["customer_id"]),
                       "scope": self.rng.choice([request["scope"], request["scope"].upper()]),
                       "requested_at": iso(request["requested_at"]),
                       "from": iso(request["from"]) if request["from"] else None,
                       "to": iso(request["to"]) if request["to"] else None,
                       "utterance_ids": [unicodedata.normalize("NFD", self.rng.choice([u, u.upper()]))
                                         for u in request["utterance_ids"]]
                       if request["utterance_ids"] else None}  # fmt: skip
            lines["deletions"].append(json.dumps(spelled, ensure_ascii=self.rng.random() < 0.5).encode())
        for kind, line in unreadable:
            lines["consent" if kind == "consent" else "deletions"].append(line)
        for folder, rows in lines.items():
            if rows:
                data = b"\n".join(rows) + b"\n"
                gz = self.rng.random() < 0.3
                storage.write_bytes(f"landing/{folder}/p{self._files}.jsonl{'.gz' if gz else ''}",
                                    gzip.compress(data) if gz else data)  # fmt: skip

    # --- views of the truth ---------------------------------------------------------------------------
    @property
    def held(self) -> set[str]:
        return {hold[0] for hold in self.holds}

    def state_tables(self):
        from utterance_governance import schema as S
        from utterance_governance.privacy import PrivacyState

        return PrivacyState(pa.Table.from_pylist(self.consent, schema=S.CONSENT),
                            pa.Table.from_pylist(self.deletions, schema=S.DELETION), frozenset(self.held))  # fmt: skip

    def of(self, customer: str) -> list[Row]:
        return [r for r in self.rows if r.customer == customer and not r.malformed]

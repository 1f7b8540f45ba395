"""What every job step receives: the run's identity, its parameters, and handles to the lake
and the governance store. Small and JSON-serialisable, so DAG tasks pass it through XCom."""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property

from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.jobs.run_keys import run_key
from utterance_governance.policy import Policy, load_policy
from utterance_governance.settings import Settings, load_settings


class InvalidParams(ValueError):
    """A manual run's parameters were refused; the message says which and why."""


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# The params each DAG takes (its ``Param``s): any other is refused, never carried along. A typo of one
# (``dryrun``) would otherwise run for real what was meant as a dry run, and a param holding a customer id
# would be logged and passed to every task.
PARAMS_OF = {
    "utterances_publish": frozenset({"dt_from", "dt_to", "dry_run", "reprocess"}),
    "privacy_requests": frozenset({"dry_run"}),
    "governance_audit": frozenset({"access_request"}),
}
# DAGs whose runs write no copy a speaker key is in: they record no key (``RunContext.check_key``)
_WRITES_NO_KEYED_COPY = frozenset({"governance_audit"})
# a param's name shown in a refusal: letters, "_" and "-" only (a name with digits may be an id)
_SHOWN_NAME = re.compile(r"^[A-Za-z_-]{1,40}$")


def _refuse_unknown(dag_id: str, params: dict) -> None:
    taken = PARAMS_OF.get(dag_id)
    unknown = sorted(str(name) for name in params if taken is not None and name not in taken)
    if not unknown:
        return
    shown = [
        repr(n) if _SHOWN_NAME.match(n) else "(a name not shown: it holds digits or marks)" for n in unknown
    ]
    close = sorted({m for n in unknown for m in difflib.get_close_matches(n, taken, n=1, cutoff=0.6)})
    raise InvalidParams(
        f"{dag_id} does not take the param(s) {', '.join(shown)}: it takes "
        f"{', '.join(sorted(taken)) or 'none'}" + (f" (did you mean {', '.join(close)}?)" if close else "")
    )


def _parse_dt(name: str, value: str | None) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not _DATE.match(value):
        raise InvalidParams(f"{name} must be a date YYYY-MM-DD, got {value!r}")
    try:
        date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidParams(f"{name} is not a real date: {value!r}") from exc
    return value


@dataclass(frozen=True)
class RunContext:
    run_id: str
    dag_id: str
    now: str  # ISO instant the whole run decides "now" against (consent in force now)
    data_root: str
    dataset: str
    env: str
    policy_file: str | None = None
    dt_from: str | None = None
    dt_to: str | None = None
    dry_run: bool = False
    reprocess: bool = False
    extra: dict = field(default_factory=dict)
    # the wall clock when ``now`` was fixed: ``read_at`` moves on from ``now`` by the time since
    fixed_at: str | None = None

    @classmethod
    def create(
        cls,
        run_id: str,
        dag_id: str,
        params: dict | None = None,
        settings: Settings | None = None,
        now: datetime | None = None,
    ) -> RunContext:
        """Validate a run's params against the settings; raise ``InvalidParams`` with a clear message."""
        settings = settings or load_settings()
        params = dict(params or {})
        _refuse_unknown(dag_id, params)
        dt_from = _parse_dt("dt_from", params.pop("dt_from", None))
        dt_to = _parse_dt("dt_to", params.pop("dt_to", None))
        if dt_from and dt_to and dt_from > dt_to:
            raise InvalidParams(f"dt_from ({dt_from}) is after dt_to ({dt_to})")
        flags = {}
        for name in ("dry_run", "reprocess"):
            value = params.pop(name, False)
            if not isinstance(value, bool):
                raise InvalidParams(f"{name} must be true or false, got {value!r}")
            flags[name] = value
        if flags["reprocess"] and not (dt_from or dt_to):
            raise InvalidParams("reprocess needs a dt range (dt_from and/or dt_to): it re-reads that range")
        fixed_at = datetime.now(UTC)
        now = (now or fixed_at).astimezone(UTC)
        ctx = cls(
            run_id=run_id,
            dag_id=dag_id,
            now=now.isoformat(),
            data_root=settings.data_root,
            dataset=settings.dataset,
            env=settings.env,
            policy_file=settings.policy_file,
            dt_from=dt_from,
            dt_to=dt_to,
            extra=params,
            fixed_at=fixed_at.isoformat(),
            **flags,
        )
        ctx.check_key(settings)
        return ctx

    def check_key(self, settings: Settings) -> None:
        """Refuse to start when ``key`` did not make the live dataset's speaker keys (SPEC §4.1):
        with another key no opt-out or deletion would find its rows. While nothing is live (a first
        night's gate failed), the key the first run recorded in the store made the copies it left
        (decisions, staging, quarantine): a deletion judged with another key would find none of them."""
        from utterance_governance.privacy import check_key, key_fingerprint, live_fingerprint
        from utterance_governance.publish.commit import live_version, read_manifest

        mine, where = key_fingerprint(settings.pseudonym_key), f"{self.dag_id} run {self.run_id}"
        live = live_version(self.storage, self.dataset)
        if live:
            made = live_fingerprint(read_manifest(self.storage, self.dataset, live))
        else:  # (the settings' store: the run's own is resolved in each worker)
            with GovernanceStore.from_settings(settings) as store:
                # a dry run, or a run that writes no keyed copy, compares with the recorded key but records none:
                # the first real run's key makes the copies
                writes = not self.dry_run and self.dag_id not in _WRITES_NO_KEYED_COPY
                made = store.claim_key_fingerprint(mine) if writes else store.key_fingerprint()
            where += (
                " (nothing is live: the live dataset's key is the one its first run recorded in the store)"
            )
        check_key(made, mine, where=where)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> RunContext:
        return cls(**data)

    # -- handles (built lazily in the worker, never sent through XCom) ------------------------
    @cached_property
    def storage(self) -> Storage:
        return Storage(self.data_root)

    @cached_property
    def store(self) -> GovernanceStore:
        # the URL may hold a password: it is resolved in each worker, never carried in XCom. The store
        # must be at the schema's head: tasks never migrate it (``ug migrate-store`` does)
        return GovernanceStore.from_settings(load_settings())

    @cached_property
    def policy(self) -> Policy:
        return load_policy(self.policy_file)

    @property
    def now_dt(self) -> datetime:
        return datetime.fromisoformat(self.now)

    def read_at(self) -> datetime:
        """The moment of a reading in this run: ``now`` plus the time since the run fixed it (a task
        queued, retried or cleared reads later than the run started, and a file may land meanwhile).
        Where ``now`` is the wall clock (every scheduled or triggered run) this is the wall clock."""
        if self.fixed_at is None:
            return self.now_dt
        since = datetime.now(UTC) - datetime.fromisoformat(self.fixed_at)
        return self.now_dt + max(since, timedelta(0))

    @property
    def run_key(self) -> str:
        """The run's folder name under ``reports/`` and ``staging/`` (``jobs.run_keys``)."""
        return run_key(self.dag_id, self.run_id)

    def in_range(self, dt: str) -> bool:
        return (self.dt_from is None or dt >= self.dt_from) and (self.dt_to is None or dt <= self.dt_to)

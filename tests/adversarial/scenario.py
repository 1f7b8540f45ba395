"""One hostile population taken through the DAGs' steps, the invariant checked after every step.

Steps (each a DAG run): publish two days of traffic with consent already given or withdrawn →
opt-outs, deletions of every scope and unreadable records arrive; ``privacy_requests`` →
the audit → a third day lands, with a late file for an old day and rows a delete-all customer
spoke after their request, while opt-outs and deletions arrive and ``privacy_requests`` runs in
the middle of the publish → ``privacy_requests`` → the audit → the holds are released by valid
records; a publish restores what was withdrawn → ``privacy_requests`` → the audit.

``run`` takes the steps as callables, so the same scenario runs through the steps directly
(``tests/pipeline.Lake``) and through Airflow (``dag.test()``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tests.adversarial.invariants import check
from tests.adversarial.population import EU, Population
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore


@dataclass
class Steps:
    publish: Callable[[Callable[[], object] | None], object]  # with what arrives while it runs (or None)
    privacy: Callable[[], object]
    audit: Callable[[], object]
    storage: Storage
    store: Callable[[], GovernanceStore]
    key: bytes
    mid_publish: bool = True  # can something run between deciding and publishing?


def run(pop: Population, steps: Steps) -> list[dict]:
    """Run the scenario; return the figures of each check (one per step)."""
    figures: list[dict] = []
    storage, now = steps.storage, pop.now

    def checked(after: str) -> None:
        store = steps.store()
        try:
            figures.append({"after": after, **check(pop, storage, store, steps.key, after=after)})
        finally:
            store.dispose()

    customers = list(pop.customers)
    eu = [c for c in customers if pop.customers[c] in EU]
    us = [c for c in customers if pop.customers[c] not in EU]
    day = [(now - timedelta(days=d)).replace(hour=0, minute=0, second=0, microsecond=0) for d in (3, 2, 1)]

    # 1. two days of traffic; EU customers opted in (all but one, whose opt-in given now is dated a
    #    month back: no consent for what was captured before it was given), two US customers opted out
    consent = [pop.consent_event(c, "opted_in", now - timedelta(days=30)) for c in eu[1:]]
    consent.append(pop.consent_event(eu[0], "opted_in", now - timedelta(days=30), recorded=now))
    corrected_later = pop.consent_event(us[10], "opted_in", now - timedelta(days=30))
    consent.append(corrected_later)
    consent += [pop.consent_event(c, "opted_out", now - timedelta(days=5)) for c in us[:2]]
    pop.write_privacy(storage, consent=consent)
    for d in day[:2]:
        rows = pop.new_rows((1, 3), d) + pop.malformed_rows(us[2:6], d)
        pop.land(storage, rows, d.date().isoformat())
    steps.publish(None)
    checked("publish")

    # 2. the requests arrive, spelled every way; some records cannot be read
    x, y, z, w, v, v2, u = us[2], us[3], us[4], us[5], us[6], eu[1], us[7]
    out_x = pop.consent_event(x, "opted_out", now)
    nul_u = pop.consent_event(u, "opted_in", now - timedelta(days=60), source="app\x00web")
    all_y = pop.deletion(y, "all", at=now - timedelta(hours=1))  # asked an hour before this run
    z_rows = pop.of(z)
    range_z = pop.deletion(
        z, "range", start=z_rows[0].captured_at - timedelta(minutes=1), end=z_rows[0].captured_at
    )
    other = pop.of(x)[0].uid  # someone else's id in W's list: not theirs to delete
    list_w = pop.deletion(w, "utterances", ids=[pop.of(w)[0].uid, other])
    correction = pop.corrected(corrected_later, "opted_out")  # the same event id, another status
    pop.write_privacy(storage, consent=[out_x, nul_u, correction], deletions=[all_y, range_z, list_w],
                      unreadable=[("consent", pop.unreadable(v, "consent")), ("deletion", pop.unreadable(v2, "deletion"))])  # fmt: skip
    steps.privacy()
    checked("privacy")
    steps.audit()

    # 3. a new day, a late file for an old day, and what Y said after asking to delete everything
    time.sleep(0.01)
    after_request = datetime.now(UTC) - timedelta(seconds=1)
    rows = pop.new_rows((1, 2), day[2])
    late = pop.new_rows((1, 1), day[0], [y, us[8]])
    spoken_after = pop.new_rows((1, 1), after_request, [y], spread_minutes=0)
    future = pop.malformed_rows([y] * 3, day[2])[2:3]  # a capture two days ahead: malformed
    pop.land(storage, rows + spoken_after + future, day[2].date().isoformat())
    pop.land(storage, late, day[0].date().isoformat(), files=1)
    t, s = us[8], us[9]

    def arriving() -> None:  # while the publish is under way: T opts out, S deletes, a purge runs
        pop.write_privacy(storage, consent=[pop.consent_event(t, "opted_out", datetime.now(UTC))],
                          deletions=[pop.deletion(s, "all")])  # fmt: skip
        steps.privacy()

    steps.publish(arriving if steps.mid_publish else None)
    if not steps.mid_publish:
        arriving()
    checked("publish")
    steps.privacy()
    checked("privacy")
    steps.audit()

    # 4. valid records release the holds (an opt-in recorded after the unreadable one, a delete-all); the
    # next publish restores what was withdrawn
    after = pop.now + timedelta(seconds=60)
    release = [
        pop.consent_event(c, "opted_in", now - timedelta(days=90), recorded=after) for c in (v, us[10])
    ]
    release_u = [pop.consent_event(u, "opted_in", now - timedelta(days=90), recorded=after)]
    release_v2 = [pop.deletion(v2, "all")]
    pop.write_privacy(storage, consent=release + release_u, deletions=release_v2)
    steps.publish(None)
    checked("publish")
    steps.privacy()
    checked("privacy")
    steps.audit()
    return figures

"""The cast: customers whose privacy story is scripted, so their every utterance's fate is known.

Each cast member has a few utterances at planned capture times and consent events or deletion
requests placed *between* those times, so that "consent at capture time" and "consent now"
differ. Cast utterances are clean and unique by construction (see ``templates.cast_utterance``),
so their expected decision depends only on consent, deletions and hold-backs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import schema

DAY_US = 86_400_000_000
HOUR_US = 3_600_000_000

# scenario -> (members per scale unit, locales to cycle through, utterances per member)
SCENARIOS: dict[str, tuple[int, tuple[str, ...], int]] = {
    "retroactive_opt_out": (2, ("en-US", "de-DE"), 2),
    "opt_out_then_in": (1, ("en-GB", "fr-FR"), 3),
    "eu_no_consent": (1, ("de-DE", "fr-FR", "es-ES", "en-IE"), 1),
    "eu_opted_in": (1, ("fr-FR", "de-DE", "es-ES"), 2),
    "eu_late_opt_in": (1, ("es-ES", "de-DE", "en-IE"), 2),
    "us_untouched": (5, ("en-US",), 2),
    "deleted_all": (1, ("en-US",), 2),
    "deleted_all_partial": (1, ("en-US", "en-GB"), 2),
    "deleted_range": (1, ("en-US", "en-GB"), 3),
    "deleted_utterances": (1, ("en-US",), 2),
    "held_back_consent_status": (1, ("en-US",), 1),
    "held_back_consent_timestamp": (1, ("en-GB",), 1),
    "held_back_deletion": (1, ("en-US",), 1),
}
HELD_BACK_SCENARIOS = ("held_back_consent_status", "held_back_consent_timestamp", "held_back_deletion")


@dataclass
class CastMember:
    customer_index: int
    customer_id: str
    scenario: str
    locale: str
    zone: str
    times_us: list[int]  # planned capture instants (UTC microseconds), increasing
    # filled in while the utterance files are written
    utterance_ids: list[str] = field(default_factory=list)
    captured_at: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def mid(a: int, b: int) -> int:
    return (a + b) // 2


def plan_times(rng, window_start_us: int, days: int, count: int) -> list[int]:
    """``count`` increasing instants spread over the window, each well inside its own slot."""
    span = days * DAY_US
    slot = span // count
    return [window_start_us + i * slot + int(slot * (0.2 + 0.6 * rng.random())) for i in range(count)]


@dataclass(frozen=True)
class CastPlan:
    """The consent events and deletion requests of the cast, and what each utterance should become."""

    consent: list[dict]  # {customer_id, status, effective_us, locale, zone}
    deletions: list[dict]  # {customer_id, scope, requested_us, from_us, to_us, utterance_ids}
    malformed_consent: list[dict]  # {customer_id, problem}
    malformed_deletions: list[dict]
    expected: dict[str, str]  # utterance_id -> reason code (first batch)
    windows: dict[str, tuple[int, int]]  # customer_id -> the scenario's window (gap / range / ...)
    deleted_utterance_ids: list[str]


def script_cast(members: list[CastMember], window_start_us: int, as_of_us: int, is_opt_in) -> CastPlan:
    """Write every cast member's story as events and requests, with the expected decisions."""
    consent: list[dict] = []
    deletions: list[dict] = []
    bad_consent: list[dict] = []
    bad_deletions: list[dict] = []
    expected: dict[str, str] = {}
    windows: dict[str, tuple[int, int]] = {}
    deleted_ids: list[str] = []

    def event(m: CastMember, status: str, at: int) -> None:
        consent.append({"customer_id": m.customer_id, "status": status, "effective_us": at, "zone": m.zone})

    for m in members:
        t, ids, eu = m.times_us, m.utterance_ids, is_opt_in(m.locale)
        half = len(t) // 2
        if m.scenario == "retroactive_opt_out":
            if eu:  # opted in long ago, opted out after the last utterance: nothing may stay
                event(m, "opted_in", window_start_us - 90 * DAY_US)
                event(m, "opted_out", min(t[-1] + 2 * HOUR_US, as_of_us - HOUR_US))
            else:  # default consent; opts out mid-window: the earlier utterances go too
                event(m, "opted_out", mid(t[half - 1], t[half]))
            expected.update(dict.fromkeys(ids, schema.OPTED_OUT))
        elif m.scenario == "opt_out_then_in":
            if eu:
                event(m, "opted_in", window_start_us - 200 * DAY_US)
            third = max(1, len(t) // 3)
            out_at, in_at = mid(t[third - 1], t[third]), mid(t[2 * third - 1], t[2 * third])
            event(m, "opted_out", out_at)
            event(m, "opted_in", in_at)
            windows[m.customer_id] = (out_at, in_at)
            for ti, uid in zip(t, ids, strict=True):
                expected[uid] = schema.OPTED_OUT if out_at <= ti < in_at else schema.PUBLISHED
        elif m.scenario == "eu_no_consent":
            expected.update(dict.fromkeys(ids, schema.NO_CONSENT))
        elif m.scenario == "eu_opted_in":
            event(m, "opted_in", window_start_us - (10 + m.customer_index % 300) * DAY_US)
            expected.update(dict.fromkeys(ids, schema.PUBLISHED))
        elif m.scenario == "eu_late_opt_in":
            at = mid(t[half - 1], t[half])
            event(m, "opted_in", at)
            windows[m.customer_id] = (window_start_us, at)
            for ti, uid in zip(t, ids, strict=True):
                expected[uid] = schema.NO_CONSENT if ti < at else schema.PUBLISHED
        elif m.scenario == "us_untouched":
            expected.update(dict.fromkeys(ids, schema.PUBLISHED))
        elif m.scenario == "deleted_all":
            at = min(t[-1] + 3 * HOUR_US, as_of_us - HOUR_US)
            deletions.append(
                {"customer_id": m.customer_id, "scope": "all", "requested_us": at, "zone": m.zone}
            )
            expected.update(dict.fromkeys(ids, schema.DELETION_REQUESTED))
        elif m.scenario == "deleted_all_partial":  # scope all covers only what was captured by requested_at
            at = mid(t[half - 1], t[half])
            deletions.append(
                {"customer_id": m.customer_id, "scope": "all", "requested_us": at, "zone": m.zone}
            )
            windows[m.customer_id] = (window_start_us, at)
            for ti, uid in zip(t, ids, strict=True):
                expected[uid] = schema.DELETION_REQUESTED if ti <= at else schema.PUBLISHED
        elif m.scenario == "deleted_range":
            third = max(1, len(t) // 3)
            lo, hi = mid(t[third - 1], t[third]), mid(t[2 * third - 1], t[2 * third])
            deletions.append({"customer_id": m.customer_id, "scope": "range", "from_us": lo, "to_us": hi,
                              "requested_us": min(t[-1] + HOUR_US, as_of_us - HOUR_US), "zone": m.zone})  # fmt: skip
            windows[m.customer_id] = (lo, hi)
            for ti, uid in zip(t, ids, strict=True):
                expected[uid] = schema.DELETION_REQUESTED if lo <= ti <= hi else schema.PUBLISHED
        elif m.scenario == "deleted_utterances":
            chosen = ids[:half]
            deletions.append({"customer_id": m.customer_id, "scope": "utterances", "utterance_ids": chosen,
                              "requested_us": min(t[-1] + HOUR_US, as_of_us - HOUR_US), "zone": m.zone})  # fmt: skip
            deleted_ids += chosen
            for uid in ids:
                expected[uid] = schema.DELETION_REQUESTED if uid in chosen else schema.PUBLISHED
        elif m.scenario == "held_back_consent_status":
            bad_consent.append(
                {"customer_id": m.customer_id, "problem": "bad_status", "at": t[-1], "zone": m.zone}
            )
            expected.update(dict.fromkeys(ids, schema.HELD_BACK))
        elif m.scenario == "held_back_consent_timestamp":
            bad_consent.append(
                {"customer_id": m.customer_id, "problem": "naive_timestamp", "at": t[-1], "zone": m.zone}
            )
            expected.update(dict.fromkeys(ids, schema.HELD_BACK))
        elif m.scenario == "held_back_deletion":
            bad_deletions.append(
                {"customer_id": m.customer_id, "problem": "impossible_date", "at": t[-1], "zone": m.zone}
            )
            expected.update(dict.fromkeys(ids, schema.HELD_BACK))
        else:  # pragma: no cover - SCENARIOS and this function move together
            raise ValueError(m.scenario)
    return CastPlan(consent, deletions, bad_consent, bad_deletions, expected, windows, deleted_ids)

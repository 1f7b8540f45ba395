"""The decision policy as data (SPEC §4): regional consent defaults and quality thresholds.

Nothing here is code that decides; it is the configuration the rules read. A deployment
overrides any part with a JSON file named by ``UG_POLICY_FILE``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass, field, fields, replace

# EU/EEA locales default to *not consented* (SPEC §4): an explicit opt-in is needed. The UK is not in
# the list (the SPEC names EU/EEA); a policy file adds "GB" where UK law asks for the same.
OPT_IN_REGIONS = (
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
    # EU territory with a region subtag of its own (fr-RE is Réunion, in the EU as France is): the
    # outermost regions, Åland, the Canary Islands, Ceuta and Melilla; the subtags that name the EU, the
    # euro area and Europe as a whole (en-150); and Europe's UN M.49 sub-areas, each mostly EU/EEA
    # (Western 155, Northern 154, Southern 039, Eastern 151: a Ukrainian or a Swiss row errs to opt-in)
    "RE", "GP", "MQ", "GF", "YT", "MF", "AX", "IC", "EA", "EU", "EZ", "150", "155", "154", "039", "151",
)  # fmt: skip
# Region subtags that name no regime: the World (CLDR's en-001, es-001) and the United Nations hold the EU
# and everywhere else, so a locale carrying one is read as naming no region (doubt: no consent); so do the UN
# M.49 areas outside Europe that hold EU territory with a subtag of its own (CLDR's containment): the
# Americas 019, Latin America and the Caribbean 419, the Caribbean 029 (Guadeloupe, Martinique, Saint-Martin),
# South America 005 (French Guiana); Africa 002, Sub-Saharan Africa 202, Eastern Africa 014 (Réunion,
# Mayotte), Northern Africa 015 (the Canary Islands, Ceuta and Melilla); Asia 142, Western Asia 145 (Cyprus)
NO_REGIME_REGIONS = ("001", "UN", "019", "419", "029", "005", "002", "202", "014", "015", "142", "145")

DEFAULT_ALLOWED_LOCALES = (
    "en-US", "en-GB", "en-IE", "en-AU", "en-CA", "en-IN", "de-DE", "de-AT", "fr-FR", "fr-CA",
    "es-ES", "es-MX", "es-US", "it-IT", "nl-NL", "pt-BR", "ja-JP",
)  # fmt: skip


@dataclass(frozen=True)
class Policy:
    # consent defaults: regions (BCP 47 region subtag) in the opt-in regime
    opt_in_regions: tuple[str, ...] = OPT_IN_REGIONS
    # quality rules (each failing rule is reason ``quality:<rule>``)
    allowed_locales: tuple[str, ...] = DEFAULT_ALLOWED_LOCALES
    min_transcript_chars: int = 2
    max_transcript_chars: int = 2000
    max_response_chars: int = 8000
    min_asr_confidence: float = 0.5
    # an utterance may not claim a capture time later than when its file was first read, plus
    # this much clock skew between the assistant's devices and the pipeline (SPEC §4.1)
    capture_clock_skew_s: int = 300
    # deletion deadline (days after requested_at, or after the request was first taken in when that is
    # earlier: an upstream clock ahead does not postpone it), used by privacy_requests and the audit
    deletion_deadline_days: int = 30
    deletion_at_risk_days: int = 7
    # published shards
    # small enough that a purge rewrites little (a speaker sits in one shard per publish)
    shard_target_rows: int = 20_000
    # the night's batch is cut into hash partitions of about this much landing text (JSON lines;
    # Parquet counts ten times its size), each deduplicated, gated and sharded by a task of its
    # own: a task's memory follows this, not the night's volume (publish.partitions)
    partition_bytes: int = 128 * 1024 * 1024
    # compaction by speaker (publish.compact): when the live version holds this many batches of one
    # level (a nightly publish is a batch of level 0), they are merged into one batch of the next, so
    # a customer sits in at most (fanout - 1) shards per level. Off (0) by default: moving a row costs
    # about 2.4x publishing it (its ledger rows are written again), once per level it climbs, and a
    # merge holds the dataset lock while it moves fanout**level nights of rows; 8 suits a dataset
    # whose hourly purges of a few customers matter more than the nightly cost (docs/publishing.md, "Compaction by speaker")
    compaction_fanout: int = 0
    # the merged shards' old files stay this long, for training jobs still reading an older version
    # (a purge that removes rows removes them at once: they may hold those rows)
    compaction_grace_hours: int = 48
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_types(self)
        for name in _LISTS:
            object.__setattr__(self, name, tuple(getattr(self, name)))
        _check_numbers(self)
        # a region spelled otherwise ("de", "de-DE", "DE ") would match no locale, and its customers
        # would silently fall under the opt-out regime
        wrong = [
            r
            for r in self.opt_in_regions
            if not isinstance(r, str) or not _REGION.fullmatch(r.strip().upper())
        ]
        if wrong:
            raise ValueError(
                f"opt_in_regions {wrong}: each must be a region subtag (2 letters or 3 digits: 'DE', '419')"
            )
        object.__setattr__(self, "opt_in_regions", tuple(r.strip().upper() for r in self.opt_in_regions))
        # a locale is read in BCP 47's conventional case (the reader writes every row's so): "en-us" listed
        # allows en-US rows, which compared as written it refused all of
        from utterance_governance.io.readers import conventional_case

        wrong = [loc for loc in self.allowed_locales if not isinstance(loc, str) or not loc.strip()]
        if wrong:
            raise ValueError(f"allowed_locales {wrong}: each must be a BCP 47 locale ('en-US')")
        object.__setattr__(
            self,
            "allowed_locales",
            tuple(dict.fromkeys(conventional_case(loc.strip()) for loc in self.allowed_locales)),
        )
        # so would a region of the right shape that no locale carries ("UK": BCP 47 writes GB, en-GB)
        unknown = [r for r in self.opt_in_regions if r not in OPT_IN_REGIONS and r not in region_subtags()]
        if unknown:
            raise ValueError(f"opt_in_regions: {'; '.join(_no_region(r) for r in unknown)}")
        # SPEC §5 (amended 2026-11-28): a locale whose language redaction cannot read (its
        # spoken numbers, formats and identity numbers) may not be allowed
        from utterance_governance.clean.languages import READABLE_LANGUAGES, unreadable_locales

        # a locale whose region no locale carries ("en-UK") would fall under no regime the policy names
        nowhere = sorted({r for r in map(locale_region, self.allowed_locales) if r and not _is_region(r)})
        if nowhere:
            raise ValueError(f"allowed_locales: {'; '.join(_no_region(r) for r in nowhere)}")
        unreadable = unreadable_locales(self.allowed_locales)
        if unreadable:
            raise ValueError(
                f"allowed_locales {unreadable}: redaction cannot read their language "
                f"(it reads {', '.join(sorted(READABLE_LANGUAGES))})"
            )

    @property
    def privacy_fingerprint(self) -> str:
        """A digest of the fields the privacy verdict reads (the opt-in regions, the clock skew): when it
        changes, rows already live are judged again (``purge.affected``)."""
        fields_read = {
            "opt_in_regions": sorted(self.opt_in_regions),
            "capture_clock_skew_s": self.capture_clock_skew_s,
            "no_regime_regions": sorted(NO_REGIME_REGIONS),  # (code, but read as the regions are)
        }
        return hashlib.sha256(json.dumps(fields_read, sort_keys=True).encode()).hexdigest()[:16]

    def is_opt_in_locale(self, locale: str) -> bool:
        """Whether ``locale``'s region is in the opt-in regime. A locale naming no region ("de",
        "de-Latn") is, and so is one whose region names no regime (``NO_REGIME_REGIONS``: "en-001", the
        World) or is no region subtag ("en-UK": BCP 47 writes GB): which regime applies cannot be told,
        and doubt defaults to no consent."""
        region = locale_region(locale)
        return (
            region is None
            or region in self.opt_in_regions
            or region in NO_REGIME_REGIONS
            or not _is_region(region)
        )


_REGION = re.compile(r"[A-Z]{2}|[0-9]{3}")

# The policy's numbers and the ranges they may take (None: no bound). A number out of its range is refused,
# never clamped: a sign slipped into a policy file (a skew of -259200) would count every opt-in from three
# days before it was recorded, and publish what an opt-in region's customer said before opting in.
_WHOLE_NUMBERS: dict[str, tuple[int, int | None, str]] = {
    "min_transcript_chars": (0, None, "characters"),
    "max_transcript_chars": (1, None, "characters"),
    "max_response_chars": (0, None, "characters"),
    # a negative skew moves an opt-in's start before its recording and a delete-all's cut-off before its
    # request; more than a day is no clock skew but a device's wrong date (its captures are malformed)
    "capture_clock_skew_s": (0, 86_400, "seconds"),
    # a deadline is at least a day and at most a year (the law's deadlines are a month, three at most)
    "deletion_deadline_days": (1, 365, "days"),
    "deletion_at_risk_days": (0, None, "days"),
    "shard_target_rows": (1, None, "rows"),
    "partition_bytes": (1, None, "bytes"),
    "compaction_fanout": (0, None, "batches (below 2: compaction off)"),
    "compaction_grace_hours": (0, 24 * 365, "hours"),
}
_LISTS = ("opt_in_regions", "allowed_locales")


def _shown(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _check_types(policy: Policy) -> None:
    """Refuse a value of the wrong type, never coerce it: ``"300"``, ``300.0`` or ``true`` where the policy
    counts in whole units, a string where it lists (``"en-US"`` would be read letter by letter)."""
    for name in _LISTS:
        value = getattr(policy, name)
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{name} {_shown(value)}: must be a list of strings")
    for name in _WHOLE_NUMBERS:
        value = getattr(policy, name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(
                f"{name} {_shown(value)}: must be an integer, not {type(value).__name__}"
                " (write it in a policy file as a JSON number, without a fraction or quotes)"
            )
    value = policy.min_asr_confidence
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"min_asr_confidence {_shown(value)}: must be a number, not {type(value).__name__}")
    if not isinstance(policy.extra, dict):
        raise ValueError(f"extra {_shown(policy.extra)}: must be an object")


def _check_numbers(policy: Policy) -> None:
    """Refuse a number out of its range, naming the field, the value and the range."""
    for name, (low, high, unit) in _WHOLE_NUMBERS.items():
        value = getattr(policy, name)
        if value < low or (high is not None and value > high):
            where = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise ValueError(f"{name} {value}: must be {where} {unit}")
    if policy.max_transcript_chars < policy.min_transcript_chars:
        raise ValueError(
            f"max_transcript_chars {policy.max_transcript_chars}: must be at least min_transcript_chars "
            f"({policy.min_transcript_chars}): no transcript could pass"
        )
    if policy.deletion_at_risk_days > policy.deletion_deadline_days:
        raise ValueError(
            f"deletion_at_risk_days {policy.deletion_at_risk_days}: must be at most deletion_deadline_days "
            f"({policy.deletion_deadline_days}; equal: every request is at risk from the start)"
        )
    if not 0 <= policy.min_asr_confidence <= 1:  # NaN too
        raise ValueError(f"min_asr_confidence {policy.min_asr_confidence}: must be between 0 and 1")


# The region subtags a locale can carry (BCP 47 takes them from ISO 3166-1 and UN M.49; CLDR's list of
# territories). Countries and territories are phonenumbers' regions (maintained with the ISO list,
# Kosovo's XK and the exceptionally reserved AC and TA included) and these, which have no telephone
# numbering plan of their own:
_ISO_WITHOUT_NUMBERING_PLAN = ("AQ", "BV", "GS", "HM", "PN", "TF", "UM")
# ISO 3166-1's exceptionally reserved codes that BCP 47 and CLDR use: Clipperton, Sark, Diego Garcia,
# Ceuta and Melilla, the EU, the euro area, the Canary Islands, the United Nations
_EXCEPTIONALLY_RESERVED = ("CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "UN")
# UN M.49 areas (BCP 47 registers these; a country's M.49 number is no region subtag: its letters are)
M49_AREAS = (
    "001", "002", "003", "005", "009", "011", "013", "014", "015", "017", "018", "019", "021", "029",
    "030", "034", "035", "039", "053", "054", "057", "061", "142", "143", "145", "150", "151", "154",
    "155", "202", "419",
)  # fmt: skip
# codes written for a region in other notations, refused naming the one a locale carries: the United
# Kingdom and Greece as the EU's own documents write them (a policy file says what it means: no mapping)
_SPELLED_OTHERWISE = {"UK": ("GB", "en-GB"), "EL": ("GR", "el-GR")}


@functools.cache
def region_subtags() -> frozenset[str]:
    """Every region subtag a BCP 47 locale can carry, upper-case ("DE", "GB", "EU", "419")."""
    from phonenumbers import SUPPORTED_REGIONS  # ~0.2 s to import: only when a policy adds a region

    return frozenset(SUPPORTED_REGIONS) | frozenset(
        (*_ISO_WITHOUT_NUMBERING_PLAN, *_EXCEPTIONALLY_RESERVED, *M49_AREAS)
    )


def _is_region(code: str) -> bool:
    """Whether ``code`` is a region subtag: the default locales' and opt-in regions' without importing
    phonenumbers (a policy of the defaults, in a process that reads no text, never does)."""
    return code in _DEFAULT_REGIONS or code in region_subtags()


def _no_region(code: str) -> str:
    """Why ``code`` (of the right shape) is refused."""
    if code in _SPELLED_OTHERWISE:
        right, locale = _SPELLED_OTHERWISE[code]
        return f"{code!r} matches no locale: locales carry ISO 3166-1's {right!r} ({locale}); write {right!r}"
    if code.isdigit():
        return (
            f"{code!r} is no UN M.49 area a locale carries (a country is named by its ISO 3166-1 letters, "
            f"'DE' not '276'; the areas are {', '.join(M49_AREAS)})"
        )
    return f"{code!r} is no ISO 3166-1 alpha-2 region (nor a code BCP 47 adds, as EU): it matches no locale"


def locale_region(locale: str) -> str | None:
    """The region subtag of a BCP 47 locale ("de-DE" → "DE", "es-419" → "419", "sr-Latn-RS" → "RS"),
    upper-cased; None when it names none ("de", "de-Latn")."""
    for subtag in locale.split("-")[1:3]:
        if _REGION.fullmatch(subtag.upper()) and (len(subtag) == 3 or subtag.isalpha()):
            return subtag.upper()
    return None


def load_policy(path: str | None = None) -> Policy:
    """The embedded policy, overridden field by field by the JSON file at ``path``."""
    policy = Policy()
    if not path:
        return policy
    with open(path, encoding="utf-8") as fh:
        overrides = json.load(fh)
    if not isinstance(overrides, dict):
        raise ValueError(f"policy file {path}: must hold a JSON object of policy fields")
    known = {f.name for f in fields(Policy)}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"unknown policy keys in {path}: {sorted(unknown)}")
    return replace(policy, **overrides)  # Policy checks each value (a JSON list is taken for a tuple)


# the regions of the built-in locales and opt-in list (``_is_region`` reads them first)
_DEFAULT_REGIONS = frozenset(
    [*(r for r in map(locale_region, DEFAULT_ALLOWED_LOCALES) if r), *OPT_IN_REGIONS]
)

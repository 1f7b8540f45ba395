"""The languages redaction reads, and what a locale tells it (SPEC §5, amended 2026-11-28).

A locale may be allowed only when redaction reads its language: spoken numbers in that
language (``clean.spoken``), its national phone formats and identity numbers
(``clean.numbers``). ``policy.Policy`` refuses any other. Plain data, no heavy import: the
policy imports it.
"""

from __future__ import annotations

# language subtag -> the text2num language it is read with ("ja": kanji numerals, our own reader)
READABLE_LANGUAGES: dict[str, str] = {
    "en": "en", "de": "de", "fr": "fr", "es": "es", "it": "it", "nl": "nl", "pt": "pt", "ja": "ja",
}  # fmt: skip

# Regions whose national phone formats and identity numbers redaction knows (phonenumbers
# regions; identity numbers in ``clean.numbers.NATIONAL_IDS``).
KNOWN_REGIONS = ("US", "GB", "IE", "AU", "CA", "IN", "DE", "AT", "FR", "ES", "MX", "IT", "NL", "BR", "JP")


def language_of(locale: str | None) -> str | None:
    """The language subtag of a BCP 47 locale, lower case: ``de-AT`` -> ``de``."""
    if not locale:
        return None
    return locale.replace("_", "-").split("-", 1)[0].lower() or None


def region_of(locale: str | None) -> str | None:
    """The region subtag of a locale, upper case, when it has one: ``pt-BR`` -> ``BR``."""
    if not locale:
        return None
    parts = locale.replace("_", "-").split("-")
    regions = [p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()]
    return regions[0] if regions else None


def unreadable_locales(locales: tuple[str, ...] | list[str]) -> list[str]:
    """The locales whose language redaction cannot read (they may not be allowed)."""
    return [locale for locale in locales if language_of(locale) not in READABLE_LANGUAGES]

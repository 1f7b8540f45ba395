"""Checks the redaction tests share: the one-text and the column paths of redaction agree, and the gate's
detector reads the same text."""

from __future__ import annotations

import pyarrow as pa

from utterance_governance.clean.redact import redact_array, redact_text


def both(text: str, locale: str | None) -> str:
    """``redact_text`` and ``redact_array`` agree; the redacted text."""
    out = redact_text(text, locale)
    assert redact_array(pa.array([text]), pa.array([locale], pa.string())).to_pylist() == [out]
    return out


def redacted_unflagged(text: str, locale: str | None) -> str:
    """``both``, and the gate's detector finds nothing in what redaction left (or the night would block)."""
    from utterance_governance.detect import flag_rows

    out = both(text, locale)
    assert flag_rows([out], [locale], sample_rate=0).tolist() == [False]
    return out


def flagged(text: str, locale: str = "en-US") -> bool:
    """The gate's detector flags ``text`` (raw, as redaction would meet it)."""
    from utterance_governance.detect import flag_rows

    return flag_rows([text], [locale], sample_rate=0).tolist() == [True]


def kept(text: str, locale: str = "en-US") -> None:
    """Text with no identifier: redaction leaves it byte for byte, and the detector flags nothing."""
    assert both(text, locale) == text
    assert not flagged(text, locale)

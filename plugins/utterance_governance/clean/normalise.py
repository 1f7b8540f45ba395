"""Text normalisation for exact-duplicate detection (SPEC §4 rule 5, ``rules.duplicate``).

Two turns are the same conversation when they differ only in case, punctuation, spacing or
Unicode form: "Set a timer, please!" and "set a timer please" are one record. Symbols ("+",
"$", emoji) stay. A question that normalises like another ("5*3", "5/3") still differs by
the assistant's answer, which is the other half of the key.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

# Punctuation (any script) and invisible format characters (zero-width space, BOM, ...).
_PUNCTUATION = r"[\p{P}\p{Cf}]+"
# Whitespace that is not already a single ASCII space: runs of two or more, or one character
# of another kind (tab, no-break space, ideographic space, line separator, control character).
# Matching only these keeps RE2 from rewriting every ordinary space of every row.
_ODD_SPACE = (
    r"[\p{Z}\p{Cc}]{2,}"
    r"|[\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\p{Cc}]"
)


def normalise_for_dedup(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """NFKC, lower case, punctuation removed, whitespace collapsed to one space, trimmed.

    Vectorised (Arrow kernels and RE2); same type and length as ``values``, nulls stay null.

    >>> normalise_for_dedup(pa.array(["  Set a TIMER,\\tplease! ", None])).to_pylist()
    ['set a timer please', None]
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], values.type)
    # NFKC leaves ASCII alone and costs most of the time: apply it to the other rows only
    other = pc.invert(pc.fill_null(pc.string_is_ascii(values), True))
    if pc.any(other).as_py():
        values = pc.replace_with_mask(values, other, pc.utf8_normalize(values.filter(other), form="NFKC"))
    text = pc.utf8_lower(values)
    text = pc.replace_substring_regex(text, _PUNCTUATION, "")
    text = pc.replace_substring_regex(text, _ODD_SPACE, " ")
    return pc.utf8_trim(text, " ")

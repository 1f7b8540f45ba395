"""RE2 character classes built from sets of code points (a text-handling utility both the redaction's
normaliser and the independent detector use to pick, in Arrow, the rows their Python must read)."""

from __future__ import annotations

from collections.abc import Iterable


def re2_class(codes: Iterable[int]) -> str:
    """An RE2 character class of ``codes``, as ranges."""
    ranges: list[list[int]] = []
    for code in sorted(set(codes)):
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "[" + "".join(f"\\x{{{a:x}}}" + (f"-\\x{{{b:x}}}" if b > a else "") for a, b in ranges) + "]"

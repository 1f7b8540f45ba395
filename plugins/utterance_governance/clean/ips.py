"""IPv4 addresses read out or spaced (SPEC §5): ``[IP]``.

The fixed shapes (``patterns.DETECTORS["ip"]``) read "192.168.1.20". Read aloud, speech recognition
writes the dots as words or sets them apart: "192 dot 168 dot 1 dot 20", "192 punkt 168 punkt 1
punkt 20", "192 punto 168 …", "192 point 168 …", "192 punt …", "192 ponto …", "192ドット168ドット1ドット20",
"172 . 16 . 254 . 1", and an octet may be one to three words for a digit ("192 dot 168 dot one dot
one", "one nine two dot one dot one dot one"). Four octets of 255 or less, five digits or more
(four digits alone are a section or a version: "chapter 1 point 2 point 3 point 4"), the last
octet whole. The gate's detector reads the same forms (its own code: ``detect.detector._spoken_ip``);
before this, redaction kept them and the gate blocked the night.

A spoken dot between two words for a digit is otherwise read as a space (``normalise``: "four one
five dot five five five …" is one run); inside such an address it is kept (``spoken_ip_spans``), or
"one nine two dot one dot one dot one" would be six digit words, no run and no address.
"""

from __future__ import annotations

import re

from utterance_governance.clean.patterns import replace_spans
from utterance_governance.clean.spoken import DIGIT_WORD_VALUES

_WORD = "|".join(sorted(DIGIT_WORD_VALUES, key=len, reverse=True))
_OCTET = rf"(?:[0-9]{{1,3}}(?![0-9])|(?<![^\W\d_])(?:{_WORD})(?:[ ,]+(?:{_WORD})){{0,2}}(?![^\W\d_]))"
_DOT_WORDS = "dot|punkt|punto|point|punt|ponto"
_DOT = rf"(?:[ ]*(?<![^\W\d_])(?:{_DOT_WORDS})(?![^\W\d_])[ ]*|[ ]*ドット[ ]*|[ ]+\.[ ]+|\.)"
_SPOKEN_IP_RE = re.compile(
    rf"(?i)(?<![0-9.])(?P<a>{_OCTET}){_DOT}(?P<b>{_OCTET}){_DOT}(?P<c>{_OCTET}){_DOT}(?P<d>{_OCTET})"
    rf"(?![.]?[0-9]|[ ,]+(?:{_WORD})(?![^\W\d_]))"
)
_NOT_WRITTEN = re.compile(r"[^0-9.]")
_WORDS = re.compile(r"[^\W\d_]+")
# Rows worth reading (RE2, a superset): a dot word or "ドット" before a digit or a word for a digit, or
# a dot set apart between digits. Every address above holds one.
IP_CANDIDATES = rf"(?i:(?:{_DOT_WORDS}|ドット)[ ]*(?:[0-9]|{_WORD})|[0-9][ ]+\.[ ]+[0-9])"
_IP_CANDIDATES_PY = re.compile(IP_CANDIDATES)


def _octet(part: str) -> str:
    return part if part.isdigit() else "".join(DIGIT_WORD_VALUES[w] for w in _WORDS.findall(part.lower()))


def spoken_ip_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds an IPv4 address read out or spaced (not one written "192.168.1.20")."""
    if not _IP_CANDIDATES_PY.search(text):
        return []
    spans = []
    for match in _SPOKEN_IP_RE.finditer(text):
        if not _NOT_WRITTEN.search(match.group()):
            continue  # the fixed shapes' "192.168.1.20"
        octets = [_octet(part) for part in match.group("a", "b", "c", "d")]
        if all(len(octet) <= 3 and int(octet) <= 255 for octet in octets) and len("".join(octets)) > 4:
            spans.append(match.span())
    return spans


def redact_spoken_ips(text: str) -> str:
    """``text`` with each IPv4 address read out or spaced replaced by ``[IP]``."""
    return replace_spans(text, spoken_ip_spans(text), "[IP]")

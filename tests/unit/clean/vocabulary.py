"""The text the detector and redaction tests share: harmless requests, and generated text.

``HARMLESS`` requests hold numbers, "at" and dots yet identify nobody. ``texts`` builds
hypothesis strategies from what the detectors look at: number words in any case, digits,
separators, identifier shapes, and characters where RE2 and Python ``re`` could part ways (ſ,
the Kelvin sign, \\v, non-ASCII digits and letters, the run markers of ``clean.redact``). Each
test names its own identifier shapes and how long its text may grow.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from utterance_governance.clean.patterns import TENS_WORDS, UNIT_WORDS

WORDS = [*UNIT_WORDS, *TENS_WORDS, "double", "triple", "at", "dot", "com", "it", "jo"]
ODD = ["\u017f", "\u212a", "\v", "\n", "\x01", "\x02", "@", "+", "(", ")", ":", "_", "é", "İ", "٣", "０", "ß"]
SEPARATORS = ["", " ", " ", " ", ", ", "-", ".", " - ", "\t"]

# The detectors pass these and redaction leaves them untouched.
HARMLESS = [
    "set a timer for ten minutes",
    "add two dozen eggs",
    "the year two thousand twenty",
    "one two three go",
    "play the top 40 hits from 1999",
    "it is 72 degrees",
    "wake me at 6:30",
    "room 101",
    "turn the volume to eleven",
    "I'm at home",
    "give me five",
    "update python to 3.11",
    "remind me in twenty five minutes",
    "set alarms for six thirty and seven fifteen",
    "set an alarm for six thirty seven thirty and eight",
    "what's twenty twenty five minus nineteen ninety nine",
    "count one two three four five six",
    "buy it at amazon dot com",
    "visit us at example dot org",
    "walk 10,000 steps a day",
    "it costs $12.99 at the store",
    "what's 1,000,000 divided by 12",
    "how many calories in 200-1000 grams of rice",
    "the meeting is on 2024-12-25 at 10:30",
    "set the thermostat to 21.5 degrees",
    "play track 7 from the album 1989",
    "what is 15% of 250",
    "call mom",
    "read me chapter 12 verse 4",
    "add 3 apples and 2 oranges",
    "what's the score 21 to 14",
    "double check the front door",
    "one hundred twenty three times four",
    "the 49ers won 24 to 17",
    "I need 2 tickets for the 7:45 show",
    "set a timer for 1 hour 30 minutes",
    "oh no, I'm late",
    "version 10.0.19041 is installed",
    "upgrade python to 3.11",
    "what's nineteen ninety nine plus twenty",
    "it costs $12.99",
    "",
]


def _confusable(word: str) -> str:
    """The word with the letters RE2 folds beyond ASCII: long s, Kelvin sign."""
    return word.replace("s", "\u017f").replace("k", "\u212a")


CASINGS = [str, str.upper, str.title, _confusable]


def texts(
    *,
    words: Sequence[str],
    shapes: Sequence[str],
    odd: Sequence[str] = ODD,
    max_digits: int,
    separated_shapes: bool = False,
    max_noise: int,
    max_fragments: int,
) -> st.SearchStrategy[str]:
    """Up to ``max_fragments`` fragments joined: a word (any casing) or a run of up to ``max_digits``
    digits, each with a separator; an identifier shape (with a separator if ``separated_shapes``);
    an odd character; or up to ``max_noise`` arbitrary characters."""
    separator = st.sampled_from(SEPARATORS)
    word = st.tuples(st.sampled_from(words), st.sampled_from(CASINGS), separator)
    shape = st.sampled_from(shapes)
    fragment = st.one_of(
        word.map(lambda t: t[1](t[0]) + t[2]),
        st.tuples(st.from_regex(rf"[0-9]{{1,{max_digits}}}", fullmatch=True), separator).map("".join),
        st.tuples(shape, separator).map("".join) if separated_shapes else shape,
        st.sampled_from(odd),
        st.text(max_size=max_noise),
    )
    return st.lists(fragment, max_size=max_fragments).map("".join)

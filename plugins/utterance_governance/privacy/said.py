"""Texts that say the id of a customer who asked for everything to be deleted (SPEC §3.1, §4 rule 3).

A customer id never appears in published output, and a delete-all takes away everything of its
customer. Another customer's words may still say the id: "share my playlist with canary-cust-7Q4Z",
or the reply "It was shared by canary-cust-7Q4Z." Such a row is

- never published: ``decide`` leaves it out of the night's batch (``deletion_requested``: like the
  deleted customer's own rows, it leaves no decision row behind, only its count), and the re-check
  under the lock does so for a delete-all that arrived after the batch was decided;
- withdrawn from the live dataset while the request's receipt is open (``purge.affected``);
- a violation in the daily audit (``audit.rows``).

An id is said as ``quality:turn_names_speaker`` reads a turn naming its own speaker
(``rules.quality.says_id``): its letters and digits among the text's, case folded after NFKC, or the
id as written (case aside). An id shorter than that rule looks for (``SHORTEST_ID_LOOKED_FOR``) is a
word ("bob") and is not looked for.

**What it costs.** Every delete-all there has ever been is looked for in every row of every night, so
a hundred thousand ids must cost what one does. An id whose letters and digits are ASCII and hold a
digit can only be said by a text whose ASCII digits, everything else left out, hold the id's digits
(leaving out the letters of a stretch of text leaves its digits side by side), or by a text with a
character NFKC makes a digit of (``rules.quality.COMPAT_DIGITS``; its digits are then read after
NFKC). So the texts' digits are searched for every id's digits at once, by an Aho-Corasick automaton
(``pyahocorasick``: one pass whatever the number of ids), and only the few (text, id) pairs found are
handed to ``says_id``. An id without such a digit is looked for in every text by its bare form and
its lower case (RE2, ``IDS_SOUGHT_AT_ONCE`` ids a pass): rare, as every spelling of an id with a digit
has one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance.privacy.state import other_spellings
from utterance_governance.rules.quality import (
    COMPAT_DIGITS,
    SHORTEST_ID_LOOKED_FOR,
    ascii_digit_counts,
    bare_ascii,
    bare_id,
    digits_only,
    says_id,
)

NAMES_DELETED_CUSTOMER = "names_deleted_customer"  # a row saying a delete-all's customer id
IDS_SOUGHT_AT_ONCE = 256  # ids without a digit one Arrow pass (RE2) looks for


def delete_all_spellings(deletions: pa.Table, *, leaving_out: Collection[str] = ()) -> dict[str, list[str]]:
    """Each id a delete-all (scope ``all``) of ``deletions`` (``PrivacyState.deletions``) names, and each of
    its other spellings (``other_spellings``), to look for in text: id -> the requests naming it.
    ``leaving_out``: requests not looked for (those whose receipt is completed). An id shorter than
    ``quality:turn_names_speaker`` looks for (``SHORTEST_ID_LOOKED_FOR``) is left out: "bob" is a word."""
    scope = pc.utf8_lower(pc.utf8_trim_whitespace(deletions.column("scope")))
    wanted = pc.and_(
        pc.fill_null(pc.equal(scope, "all"), False),
        pc.invert(
            pc.is_in(deletions.column("request_id"), value_set=pa.array(sorted(leaving_out), pa.string()))
        ),
    )
    requests = deletions.filter(wanted).select(["request_id", "customer_id"]).drop_null()
    if not requests.num_rows:
        return {}
    spelled = other_spellings(requests.column("customer_id")).rename_columns(["customer_id", "spelling"])
    named = requests.join(spelled, "customer_id", join_type="left outer")
    out: dict[str, set[str]] = {}
    columns = (named.column(name).to_pylist() for name in ("request_id", "customer_id", "spelling"))
    for request, customer, spelling in zip(*columns, strict=True):
        for said in {customer, spelling} - {None}:
            if len(said) >= SHORTEST_ID_LOOKED_FOR:
                out.setdefault(said, set()).add(request)
    return {said: sorted(requests) for said, requests in sorted(out.items())}


class SaidIds:
    """The ids of ``said`` (id -> the requests naming it: ``delete_all_spellings``), made ready once to
    be looked for in many texts (``found``)."""

    def __init__(self, said: Mapping[str, Iterable[str]]) -> None:
        self.requests = {name: sorted(requests) for name, requests in said.items()}
        self.by_digits: dict[str, list[str]] = {}  # an id's digits -> the ids with those digits
        self.others: list[str] = []  # the ids looked for in every text
        for name in self.requests:
            bare = bare_id(name)
            digits = "".join(c for c in bare if "0" <= c <= "9")
            if bare.isascii() and len(bare) >= SHORTEST_ID_LOOKED_FOR and digits:
                self.by_digits.setdefault(digits, []).append(name)
            else:
                self.others.append(name)
        self.fewest_digits = min(map(len, self.by_digits), default=0)
        self._automaton = None

    def __bool__(self) -> bool:
        return bool(self.requests)

    @property
    def fingerprint(self) -> str:
        """Which requests' ids are looked for (a digest of their request ids): a batch decided against
        other ones is searched again under the lock."""
        requests = sorted({request for names in self.requests.values() for request in names})
        return hashlib.sha256("\n".join(requests).encode()).hexdigest()[:32]

    def found(self, texts: pa.Array | pa.ChunkedArray) -> dict[int, set[str]]:
        """The positions of ``texts`` that say one of the ids, each with the ids it says."""
        texts = texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts
        if not self.requests or not len(texts):
            return {}
        texts = texts.cast(pa.large_string())
        pairs = [*self._by_digits(texts), *self._by_bare_forms(texts)]
        if not pairs:
            return {}
        rows = np.asarray([row for row, _ in pairs], dtype=np.int64)
        names = [name for _, name in pairs]
        said = says_id(texts.take(pa.array(rows, pa.int64())), pa.array(names, pa.string()))
        out: dict[int, set[str]] = {}
        for row, name in zip(
            rows[said].tolist(), np.asarray(names, dtype=object)[said].tolist(), strict=True
        ):
            out.setdefault(row, set()).add(name)
        return out

    def requests_of(self, names: Iterable[str]) -> list[str]:
        return sorted({request for name in names for request in self.requests[name]})

    def _by_digits(self, texts: pa.LargeStringArray) -> list[tuple[int, str]]:
        """(row, id) for every id with a digit whose digits the row's digits hold (a candidate only)."""
        if not self.by_digits:
            return []
        given = np.asarray(pc.is_valid(texts), dtype=bool)
        past = np.flatnonzero(given & ~np.asarray(pc.fill_null(pc.string_is_ascii(texts), True), dtype=bool))
        compat = np.zeros(len(texts), dtype=bool)
        if len(past):
            matched = pc.match_substring_regex(texts.take(pa.array(past, pa.int64())), COMPAT_DIGITS)
            compat[past] = np.asarray(pc.fill_null(matched, False), dtype=bool)
        rows = np.flatnonzero(given & ~compat & (ascii_digit_counts(texts) >= self.fewest_digits))
        odd = np.flatnonzero(compat)
        digits = pa.concat_arrays(
            [
                digits_only(texts.take(pa.array(rows, pa.int64()))),
                digits_only(
                    pc.utf8_normalize(texts.take(pa.array(odd, pa.int64())), "NFKC").cast(pa.large_string())
                ),
            ]
        )
        at = np.concatenate([rows, odd])
        _, offsets, data = digits.buffers()
        offsets = np.frombuffer(offsets, dtype=np.int64)[digits.offset : digits.offset + len(digits) + 1]
        if data is None or not len(at) or offsets[-1] == offsets[0]:
            return []
        joined = data.to_pybytes()[offsets[0] : offsets[-1]].decode("ascii")
        offsets = offsets - offsets[0]
        ends, keys = [], []
        for end, key in self.automaton.iter(joined):  # every occurrence, overlapping ones too
            ends.append(end)
            keys.append(key)
        if not ends:
            return []
        ends_ = np.asarray(ends, dtype=np.int64)
        row = np.searchsorted(offsets, ends_, side="right") - 1  # the row of a match's last digit
        inside = ends_ - np.asarray([len(k) for k in keys], dtype=np.int64) + 1 >= offsets[row]
        pairs = {
            (int(at[r]), key) for r, key, ok in zip(row.tolist(), keys, inside.tolist(), strict=True) if ok
        }
        return [(r, name) for r, key in sorted(pairs) for name in self.by_digits[key]]

    @property
    def automaton(self):
        if self._automaton is None:
            import ahocorasick

            automaton = ahocorasick.Automaton()
            for digits in self.by_digits:
                automaton.add_word(digits, digits)
            automaton.make_automaton()
            self._automaton = automaton
        return self._automaton

    def _by_bare_forms(self, texts: pa.LargeStringArray) -> list[tuple[int, str]]:
        """(row, id) for every id without a digit the row's letters and digits (``bare_id``) or lower case
        hold (a candidate only: ``says_id`` finds an id in no other row)."""
        if not self.others:
            return []
        given = np.asarray(pc.is_valid(texts), dtype=bool)
        bare_texts, _, text_ascii = bare_ascii(texts)
        plain, past = np.flatnonzero(text_ascii & given), np.flatnonzero(~text_ascii & given)
        odd = texts.take(pa.array(past, pa.int64())).to_pylist()
        at = np.concatenate([plain, past])
        bare = pa.concat_arrays([bare_texts.take(pa.array(plain, pa.int64())).cast(pa.large_string()),
                                 pa.array([bare_id(text) for text in odd], pa.large_string())])  # fmt: skip
        lower = pa.concat_arrays([pc.ascii_lower(texts.take(pa.array(plain, pa.int64()))),
                                  pa.array([text.lower() for text in odd], pa.large_string())])  # fmt: skip

        def holding(where: np.ndarray, names: list[str]) -> np.ndarray:
            """Of the texts ``where`` (positions in ``bare`` and ``lower``), those holding one of ``names``."""
            taken = pa.array(where, pa.int64())
            found = pc.match_substring_regex(lower.take(taken), "|".join(_literal(n.lower()) for n in names))
            long = [bare_id(n) for n in names if len(bare_id(n)) >= SHORTEST_ID_LOOKED_FOR]
            if long:  # (a shorter bare form is not looked for: ``says_id`` finds such an id as written only)
                found = pc.or_(
                    found, pc.match_substring_regex(bare.take(taken), "|".join(map(_literal, long)))
                )
            return where[np.asarray(pc.fill_null(found, False), dtype=bool)]

        pairs = []
        for start in range(0, len(self.others), IDS_SOUGHT_AT_ONCE):
            batch = self.others[start : start + IDS_SOUGHT_AT_ONCE]
            may = holding(np.arange(len(at)), batch)
            for name in batch if len(may) else ():
                pairs.extend((int(row), name) for row in at[holding(may, [name])])
        return pairs


def _literal(text: str) -> str:
    """``text`` as an RE2 pattern matching it as it is (every ASCII character but a letter or digit escaped)."""
    return "".join(c if c.isalnum() or not c.isascii() else f"\\x{{{ord(c):02x}}}" for c in text)

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
id as written (case aside); or with its digits as words ("canary cust seven q four z"), as the text read out
holds the id read out (``rules.quality.read_out``: the words for a digit of every supported language). An id shorter than that rule looks for (``SHORTEST_ID_LOOKED_FOR``) is a
word ("bob") and is not looked for.

**What it costs.** Every delete-all there has ever been is looked for in every row of every night, so
a hundred thousand ids must cost what one does: the texts are searched for every id at once, by an
Aho-Corasick automaton (``pyahocorasick``: one pass whatever the number of ids), after cheap necessary
conditions have left out the texts that cannot say any (``SaidIds``). On 100k rows: 0.12 s with one
delete-all, 0.55 s with 1,000, 0.84 s with 50,000.
"""

from __future__ import annotations

import functools
import hashlib
import operator
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance.privacy.state import other_spellings
from utterance_governance.rules.quality import (
    _SAYS_DIGIT,
    COUNTED_AFTER_ANY,
    NFKC_MAY_CHANGE,
    O_FOR_ZERO,
    SHORTEST_ID_LOOKED_FOR,
    ascii_digit_counts,
    bare_ascii,
    bare_id,
    digits_only,
    folded_texts,
    id_read_out,
    read_out,
    says_id,
)

NAMES_DELETED_CUSTOMER = "names_deleted_customer"  # a row saying a delete-all's customer id
IDS_SOUGHT_AT_ONCE = 256  # ids without a digit one Arrow pass (RE2) looks for


def delete_all_spellings(deletions: pa.Table, *, leaving_out: Collection[str] = ()) -> dict[str, list[str]]:
    """Each id a delete-all (scope ``all``) of ``deletions`` (``PrivacyState.deletions``) names, and each of
    its other spellings (``other_spellings``), to look for in text: id -> the requests naming it.
    ``leaving_out``: requests not looked for (those whose receipt is completed). An id shorter than
    ``quality:turn_names_speaker`` looks for (``SHORTEST_ID_LOOKED_FOR``) is left out: "bob" is a word."""
    requests = delete_all_requests(deletions)
    requests = requests.filter(
        pc.invert(
            pc.is_in(requests.column("request_id"), value_set=pa.array(sorted(leaving_out), pa.string()))
        )
    )
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


DIGITS_TO_SEARCH_BY = 4  # a form with fewer digits is asked for by its letters and digits (RE2) first
# ... 16 forms a pass (RE2's automaton for such a pattern outgrows its memory past about 32: on 200k texts
# one pass for 32 forms took 0.18 s, for 64 1.8 s), up to 32 forms; with more, every text is made bare
FORMS_A_PASS, FEW_DIGIT_FORMS_ASKED = 16, 32


_MADE_READY: dict[str, SaidIds] = {}  # the last few, by the delete-alls they were made from


def said_ids_of(deletions: pa.Table) -> SaidIds:
    """``SaidIds`` of the delete-alls of ``deletions``, made once per process for the same requests: each
    file of a run reads the privacy state again, and with 50,000 delete-alls making them ready takes 3 s."""
    every = delete_all_requests(deletions)
    key = hashlib.sha256(
        "\n".join(
            f"{r}\t{c}"
            for r, c in zip(*(every.column(n).to_pylist() for n in every.column_names), strict=True)
        ).encode()
    ).hexdigest()
    if key not in _MADE_READY:
        if len(_MADE_READY) >= 4:
            _MADE_READY.pop(next(iter(_MADE_READY)))
        _MADE_READY[key] = SaidIds(delete_all_spellings(deletions))
    return _MADE_READY[key]


def delete_all_requests(deletions: pa.Table) -> pa.Table:
    """The ``request_id`` and ``customer_id`` of the delete-alls (scope ``all``) of ``deletions``."""
    scope = pc.utf8_lower(pc.utf8_trim_whitespace(deletions.column("scope")))
    everything = deletions.filter(pc.fill_null(pc.equal(scope, "all"), False))
    return everything.select(["request_id", "customer_id"]).drop_null()


class SaidIds:
    """The ids of ``said`` (id -> the requests naming it: ``delete_all_spellings``), made ready once to
    be looked for in many texts (``found``).

    An id whose letters and digits (``bare_id``) are ASCII and 8 or more is said exactly when a text's
    letters and digits hold them: for an ASCII text that is ``says_id`` (the id as written, case aside,
    is said only where its letters and digits are), and a text past ASCII is confirmed by ``says_id``
    itself. The spellings of one id (other cases, full width) share their letters and digits: each
    form is looked for once.

    - A form with ``DIGITS_TO_SEARCH_BY`` digits or more can only be said by a text whose ASCII digits,
      everything else left out, hold the form's digits (leaving out the letters of a stretch of text
      leaves its digits side by side): the texts' digits are searched for those forms' digits first
      (NumPy over the column's bytes, then the automaton), and only the texts found are made bare.
    - A form with fewer ("cus_NffrFeUfNV2Hib") is asked for first by RE2 (its letters and digits, case
      aside, anything else between them; ``FORMS_A_PASS`` forms a pass); with more than
      ``FEW_DIGIT_FORMS_ASKED`` such forms, every text is made bare.
    - A text NFKC or case folding may change into other ASCII letters or digits (``NFKC_MAY_CHANGE``:
      full width, superscripts, "ß") is asked as it is and after NFKC, and made bare by Python
      (``bare_id``); the others (ASCII, accented European letters) are made bare in NumPy, a letter past
      ASCII left out (it only joins more).
    - An id whose letters and digits are past ASCII or fewer than 8 (looked for only as written) is
      looked for by RE2 in every text's bare form and lower case, ``IDS_SOUGHT_AT_ONCE`` at a time."""

    def __init__(self, said: Mapping[str, Iterable[str]]) -> None:
        self.requests = {name: sorted(requests) for name, requests in said.items()}
        self.forms: dict[str, list[str]] = {}  # letters and digits (bare, ASCII, 8 or more) -> the ids
        self.others: list[str] = []  # the ids looked for by RE2 in every text
        for name in self.requests:
            bare = bare_id(name)
            if bare.isascii() and len(bare) >= SHORTEST_ID_LOOKED_FOR:
                self.forms.setdefault(bare, []).append(name)
            else:
                self.others.append(name)
        self.by_digits: dict[str, list[str]] = {}  # a form's digits -> the forms
        for form in self.forms:
            self.by_digits.setdefault("".join(c for c in form if c.isdigit()), []).append(form)
        self._automata: dict[str, object] = {}

    @property
    def fewest_digits(self) -> int:
        """The fewest digits a form holds: under ``DIGITS_TO_SEARCH_BY``, some forms are asked by RE2."""
        return min(map(len, self.by_digits), default=0)

    def __bool__(self) -> bool:
        return bool(self.requests)

    @property
    def fingerprint(self) -> str:
        """Which requests' ids are looked for (a digest of their request ids): a batch decided against
        other ones is searched again under the lock."""
        requests = sorted({request for names in self.requests.values() for request in names})
        return hashlib.sha256("\n".join(requests).encode()).hexdigest()[:32]

    def requests_of(self, names: Iterable[str]) -> list[str]:
        return sorted({request for name in names for request in self.requests[name]})

    @cached_property
    def _whole_forms(self) -> dict[str, list[str]]:
        """Each id NFKC and case folded -> the ids (``found_whole``)."""
        forms: dict[str, list[str]] = {}
        for name in self.requests:
            forms.setdefault(_folded(name), []).append(name)
        return forms

    def found_whole(self, ids: pa.Array | pa.ChunkedArray) -> dict[int, set[str]]:
        """The positions of ``ids`` (utterance ids: published as they are) that hold one of the ids whole, case
        and compatibility forms aside (NFKC, case folded), with no letter or digit right before or after it:
        ``cust-abcdef12:0002`` and ``hh/cust-abcdef12/0002`` hold ``cust-abcdef12``; ``123456789:0001`` does not
        hold ``12345678``, nor does an epoch or sequence number that has its digits inside. Ids are keys made of
        parts, not words: read as text is (``found``: letters and digits among the text's), most numeric ids
        would hold some numeric account id, and a household's rows would go for its neighbour's deletion."""
        ids = ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids
        if not self.requests or not len(ids):
            return {}
        ids = pc.fill_null(ids.cast(pa.large_string()), "")
        if pc.all(pc.string_is_ascii(ids)).as_py():
            joined, offsets = _joined(pc.ascii_lower(ids))
        else:
            joined, offsets = _python_joined([_folded(i) for i in ids.to_pylist()])
        forms = self._whole_forms
        out: dict[int, set[str]] = {}
        for end, form in self._automaton("whole", forms).iter(joined):
            start = end - len(form) + 1
            row = int(np.searchsorted(offsets, end, side="right")) - 1
            if start < offsets[row] or (start > offsets[row] and joined[start - 1].isalnum()):
                continue
            if end + 1 < offsets[row + 1] and joined[end + 1].isalnum():
                continue
            out.setdefault(row, set()).update(forms[form])
        return out

    def found(self, texts: pa.Array | pa.ChunkedArray) -> dict[int, set[str]]:
        """The positions of ``texts`` that say one of the ids, each with the ids it says."""
        texts = texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts
        out: dict[int, set[str]] = {}
        if not self.requests or not len(texts):
            return out
        texts = texts.cast(pa.large_string())
        given = np.asarray(pc.is_valid(texts), dtype=bool)
        ascii_ = np.asarray(pc.fill_null(pc.string_is_ascii(texts), True), dtype=bool)
        if self.forms:
            # a text NFKC or case folding may change into other ASCII letters or digits ("ß", "ſ", full
            # width, superscripts) is read after NFKC and by Python; the others (ASCII, accented European
            # letters) as they are, in NumPy and RE2, a letter past ASCII left out (it only joins more)
            past = np.flatnonzero(given & ~ascii_)
            odd = np.zeros(len(texts), dtype=bool)
            if len(past):
                odd[past] = _mask(
                    pc.match_substring_regex(texts.take(pa.array(past, pa.int64())), NFKC_MAY_CHANGE)
                )
            plain = np.flatnonzero(given & ~odd)
            may = np.zeros(len(texts), dtype=bool)
            may[plain] = self._may_say(texts.take(pa.array(plain, pa.int64())))
            odd_rows = np.flatnonzero(odd)
            if len(odd_rows):
                raw = texts.take(pa.array(odd_rows, pa.int64()))  # (as written: ``says_id``'s lower case)
                normal = pc.utf8_normalize(raw, "NFKC").cast(pa.large_string())
                folds = _mask(pc.match_substring_regex(normal, FOLDS_TO_ASCII))
                may[odd_rows] = self._may_say(normal) | self._may_say(raw) | folds
            for row, form in self._holding_forms(texts, np.flatnonzero(may), odd):
                names = self.forms[form]
                if not ascii_[row]:  # (past ASCII: as ``says_id`` reads it)
                    text = pa.array([texts[row].as_py()] * len(names), pa.string())
                    said = says_id(text, pa.array(names, pa.string()))
                    names = [n for n, hit in zip(names, said, strict=True) if hit]
                out.setdefault(row, set()).update(names)
        for row, names in self._said_as_words(texts, given).items():
            out.setdefault(row, set()).update(names)
        if self.others:
            pairs = self._by_bare_forms(texts, given)
            if pairs:
                rows = np.asarray([row for row, _ in pairs], dtype=np.int64)
                names = [name for _, name in pairs]
                hit = says_id(texts.take(pa.array(rows, pa.int64())), pa.array(names, pa.string()))
                for row, name in zip(
                    rows[hit].tolist(), np.asarray(names, dtype=object)[hit].tolist(), strict=True
                ):
                    out.setdefault(row, set()).add(name)
        return out

    @cached_property
    def _spoken(self) -> tuple[dict[str, list[str]], dict[str, set[tuple[int, int]]], set[tuple[int, int]]]:
        """The ids looked for said with their digits as words, as ``read_out`` reads them (``id_read_out``:
        a digit and 8 letters and digits or more): read form -> the ids; the longest run of letters but o
        of each read form (3 letters or more) -> the (digits, count) of the forms with it: the digits 1-9
        each holds (bit ``d`` for ``d``) and how many; the (digits, count) of the forms without such a run."""
        forms: dict[str, list[str]] = {}
        keyed: dict[str, set[tuple[int, int]]] = {}
        unkeyed: set[tuple[int, int]] = set()
        for name in self.requests:
            said = id_read_out(name)
            if said is None:
                continue
            read, runs, count = said
            forms.setdefault(read, []).append(name)
            need = (sum(1 << int(c) for c in set(read) if c in "123456789"), count)
            run = max(runs, key=len, default="")
            keyed.setdefault(run, set()).add(need) if len(run) >= 3 else unkeyed.add(need)
        return forms, keyed, unkeyed

    def _said_as_words(self, texts: pa.LargeStringArray, given: np.ndarray) -> dict[int, set[str]]:
        """The positions of ``texts`` that say an id with its digits as words ("canary cust seven q four z"),
        as ``quality:turn_names_speaker`` reads a turn naming its own speaker (``read_out``), each with the
        ids. Only a text with a word for a digit ``read_out`` may read (``COUNTED_AFTER_ANY``, in the text
        NFKC and case folded where they may change it) that may say every digit of an id and as many as it
        holds (its ASCII digits and two a word; the digits a word may say,
        ``quality._SAYS_DIGIT``), and whose letters hold the id's longest run of letters but o (3 or more;
        Aho-Corasick over the texts made bare), is read out, by Python."""
        forms, keyed, unkeyed = self._spoken
        if not forms:
            return {}
        rows, taken, folded, odd = _with_a_number_word(texts, given)
        if not len(rows):
            return {}
        words = np.asarray(
            pc.fill_null(pc.count_substring_regex(folded, COUNTED_AFTER_ANY), 0), dtype=np.int64
        )
        may = ascii_digit_counts(folded) + 2 * words
        needs = unkeyed.union(*keyed.values())
        enough = np.flatnonzero(may >= min(count for _, count in needs))  # (an id has a digit: 1 at least)
        rows, taken, folded, odd, may = _at(enough, rows, taken, folded, odd, may)
        able = _digits_said(folded, odd, functools.reduce(operator.or_, (bits for bits, _ in needs)))
        # (the texts that may say every digit of some id: most texts with a number word say a few digits)
        viable = np.flatnonzero(_covering(frozenset(bits for bits, _ in needs))[able])
        rows, taken, folded, may, able = _at(viable, rows, taken, folded, may, able)

        def meets(at: np.ndarray, bits: np.ndarray, counts: np.ndarray) -> np.ndarray:
            return ((able[at] & bits) == bits) & (may[at] >= counts)

        wanted = np.zeros(len(rows), dtype=bool)
        for bits, count in unkeyed:
            wanted |= meets(np.arange(len(rows)), bits, count)
        if keyed:
            asked = np.flatnonzero(~wanted)
            hits = [(r, bits, count) for r, run in self._holding_runs(folded.take(pa.array(asked, pa.int64())), keyed)
                    for bits, count in keyed[run]]  # fmt: skip
            if hits:
                at, bits, counts = (np.asarray(column, dtype=np.int64) for column in zip(*hits, strict=True))
                wanted[asked[at[meets(asked[at], bits, counts)]]] = True
        out: dict[int, set[str]] = {}
        candidates = np.flatnonzero(wanted)
        if not len(candidates):
            return out
        read = [read_out(t) for t in taken.take(pa.array(candidates, pa.int64())).to_pylist()]
        for r, form in _occurrences(self._automaton("spoken", forms), *_python_joined(read)):
            out.setdefault(int(rows[candidates[r]]), set()).update(forms[form])
        return out

    def _holding_runs(self, texts: pa.LargeStringArray, keyed: Mapping[str, object]) -> set[tuple[int, str]]:
        """(position, run) for each run of ``keyed`` a text's letters and digits hold: an ASCII text made bare
        in NumPy, the others by Python (``bare_id``)."""
        automaton = self._automaton("runs", keyed)
        bare, _, ascii_ = bare_ascii(texts)
        plain, past = np.flatnonzero(ascii_), np.flatnonzero(~ascii_)
        found = {(int(plain[r]), run) for r, run in
                 _occurrences(automaton, *_joined(bare.take(pa.array(plain, pa.int64()))))}  # fmt: skip
        if len(past):
            strange = [bare_id(t) for t in texts.take(pa.array(past, pa.int64())).to_pylist()]
            found |= {(int(past[r]), run) for r, run in _occurrences(automaton, *_python_joined(strange))}
        return found

    def _may_say(self, texts: pa.LargeStringArray) -> np.ndarray:
        """Per text (as read: any ASCII letter or digit it says is one of its characters), whether it may
        say a form: its ASCII digits hold the digits of a form with ``DIGITS_TO_SEARCH_BY`` of them or more
        (Aho-Corasick over the texts' digits), or it matches a form with fewer, any characters but ASCII
        letters and digits between its letters and digits (RE2, case aside; ``IDS_SOUGHT_AT_ONCE`` forms
        a pass, and every text when there are more)."""
        may = np.zeros(len(texts), dtype=bool)
        many = {
            digits: forms for digits, forms in self.by_digits.items() if len(digits) >= DIGITS_TO_SEARCH_BY
        }
        few = [
            form
            for digits, forms in self.by_digits.items()
            if len(digits) < DIGITS_TO_SEARCH_BY
            for form in forms
        ]
        if many:
            fewest = min(map(len, many))
            rows = np.flatnonzero(ascii_digit_counts(texts) >= fewest)
            digits = digits_only(texts.take(pa.array(rows, pa.int64())))
            found = _occurrences(self._automaton("digits", many), *_joined(digits))
            may[rows[np.asarray(sorted({row for row, _ in found}), dtype=np.int64)]] = True
        if len(few) > FEW_DIGIT_FORMS_ASKED:
            may[:] = True
        for start in range(0, len(few) if len(few) <= FEW_DIGIT_FORMS_ASKED else 0, FORMS_A_PASS):
            pattern = "|".join("[^0-9A-Za-z]*".join(form) for form in few[start : start + FORMS_A_PASS])
            may |= _mask(pc.match_substring_regex(texts, pattern, ignore_case=True))
        return may

    def _holding_forms(
        self, texts: pa.LargeStringArray, rows: np.ndarray, odd: np.ndarray
    ) -> set[tuple[int, str]]:
        """(row, form) for each form the letters and digits of a text of ``rows`` may hold: a text as read
        made bare in NumPy (a letter past ASCII left out: it only joins more); a text NFKC or case folding
        may change (``odd``) by Python, as ``bare_id`` makes it and as its lower case holds it (``says_id``
        finds an ASCII id in either)."""
        plain, past = rows[~odd[rows]], rows[odd[rows]]
        automaton = self._automaton("forms", self.forms)
        found = {
            (int(plain[r]), form)
            for r, form in _occurrences(
                automaton, *_joined(bare_ascii(texts.take(pa.array(plain, pa.int64())))[0])
            )
        }
        if len(past):
            strange = texts.take(pa.array(past, pa.int64())).to_pylist()
            for strings in (
                [bare_id(t) for t in strange],
                [_NOT_LETTER_OR_DIGIT.sub("", t.lower()) for t in strange],
            ):
                found |= {
                    (int(past[r]), form) for r, form in _occurrences(automaton, *_python_joined(strings))
                }
        return found

    def _automaton(self, name: str, keys: Iterable[str]):
        if name not in self._automata:
            import ahocorasick

            automaton = ahocorasick.Automaton()
            for key in keys:
                automaton.add_word(key, key)
            automaton.make_automaton()
            self._automata[name] = automaton
        return self._automata[name]

    def _by_bare_forms(self, texts: pa.LargeStringArray, given: np.ndarray) -> list[tuple[int, str]]:
        """(row, id) for every id of ``others`` the row's letters and digits (``bare_id``) or lower case
        hold (a candidate only: ``says_id`` finds an id in no other row)."""
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


_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")
# the characters NFKC leaves as they are whose case folding holds an ASCII letter ("ß" and "ẞ" fold to
# "ss", "İ" to "i" and a dot above, "ǰ" to "j" and a caron): ``bare_id`` reads them so, RE2's case rules do
# not (a test holds this to ``unicodedata``)
FOLDS_TO_ASCII = "[\\x{df}\\x{130}\\x{1f0}\\x{1e96}-\\x{1e99}\\x{1e9e}]"


def _with_a_number_word(
    texts: pa.LargeStringArray, given: np.ndarray
) -> tuple[np.ndarray, pa.LargeStringArray, pa.LargeStringArray, np.ndarray]:
    """The positions of ``texts`` with a word for a digit ``read_out`` may read (``COUNTED_AFTER_ANY``) or an o
    that may stand for a 0 (``O_FOR_ZERO``), those
    texts as they are, the same texts with each NFKC or case folding may change (``NFKC_MAY_CHANGE``) as
    ``read_out`` reads it before its words (NFKC, then case folded: a word in full width is one, and ``İ``
    folds to an ``i`` and a mark that ends the word before a number word), and which of them are such."""
    odd = np.flatnonzero(given & _mask(pc.match_substring_regex(texts, NFKC_MAY_CHANGE)))
    folded = folded_texts(texts.take(pa.array(odd, pa.int64())))
    found = given & (
        _mask(pc.match_substring_regex(texts, COUNTED_AFTER_ANY))
        | _mask(pc.match_substring_regex(texts, O_FOR_ZERO))
    )
    found[odd] = _mask(pc.match_substring_regex(folded, COUNTED_AFTER_ANY)) | _mask(
        pc.match_substring_regex(folded, O_FOR_ZERO)
    )
    rows = np.flatnonzero(found)
    taken = texts.take(pa.array(rows, pa.int64()))
    is_odd = np.isin(rows, odd, assume_unique=True)
    read = taken
    if is_odd.any():
        at = np.isin(odd, rows, assume_unique=True)
        read = pc.replace_with_mask(taken, pa.array(is_odd), folded.filter(pa.array(at)))
    return rows, taken, read, is_odd


def _at(positions: np.ndarray, *columns):
    """Each of ``columns`` (NumPy or Arrow arrays of one length) at ``positions``."""
    taken = pa.array(positions, pa.int64())
    return tuple(
        c.take(taken) if isinstance(c, pa.Array | pa.ChunkedArray) else c[positions] for c in columns
    )


@functools.lru_cache(maxsize=8)
def _covering(needs: frozenset[int]) -> np.ndarray:
    """For each set of digits 1-9 (bit ``d`` for ``d``, 1,024 of them): whether it holds all of one of
    ``needs``."""
    sets = np.arange(1 << 10, dtype=np.int64)
    out = np.zeros(len(sets), dtype=bool)
    for bits in needs:
        out |= (sets & bits) == bits
    return out


def _digits_said(texts: pa.LargeStringArray, odd: np.ndarray, asked: int) -> np.ndarray:
    """Per text, the digits 1-9 of ``asked`` (bit ``d`` for ``d``) it may say read out (``read_out``): one RE2
    pass a digit (``quality._SAYS_DIGIT``, a necessary condition for a text NFKC and case folding leave as
    it is); a text they may change (``odd``) may say every digit."""
    able = np.zeros(len(texts), dtype=np.int64)
    for digit, pattern in _SAYS_DIGIT.items():
        if asked >> digit & 1:
            able |= _mask(pc.match_substring_regex(texts, pattern)).astype(np.int64) << digit
    able[odd] = (1 << 10) - 2
    return able


def _mask(values) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False), dtype=bool)


def _joined(values: pa.Array) -> tuple[str, np.ndarray]:
    """An ASCII string column's values one after another, and where each starts (and the last ends)."""
    values = values.cast(pa.large_string())
    _, offsets, data = values.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int64)[values.offset : values.offset + len(values) + 1]
    if data is None or not len(values):
        return "", np.zeros(len(values) + 1, dtype=np.int64)
    return data.to_pybytes()[offsets[0] : offsets[-1]].decode("ascii"), offsets - offsets[0]


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _python_joined(strings: list[str]) -> tuple[str, np.ndarray]:
    return "".join(strings), np.concatenate([[0], np.cumsum([len(s) for s in strings], dtype=np.int64)])


def _occurrences(automaton, joined: str, offsets: np.ndarray) -> set[tuple[int, str]]:
    """(row, key) for every key of ``automaton`` found within one row of ``joined`` (``offsets``: where
    each row starts; a key across two rows is no match)."""
    ends, lengths, keys = [], [], []
    for end, key in automaton.iter(joined):  # every occurrence, overlapping ones too
        ends.append(end)
        lengths.append(len(key))
        keys.append(key)
    if not ends:
        return set()
    last = np.asarray(ends, dtype=np.int64)
    row = np.searchsorted(offsets, last, side="right") - 1
    inside = last - np.asarray(lengths, dtype=np.int64) + 1 >= offsets[row]
    return {(r, key) for r, key, ok in zip(row.tolist(), keys, inside.tolist(), strict=True) if ok}


def _literal(text: str) -> str:
    """``text`` as an RE2 pattern matching it as it is (every ASCII character but a letter or digit escaped)."""
    return "".join(c if c.isalnum() or not c.isascii() else f"\\x{{{ord(c):02x}}}" for c in text)

"""Turns that write another customer's account id (SPEC §3.1: a ``customer_id`` never appears in published output).

``quality:turn_names_speaker`` reads a turn for its own speaker's ids, and ``privacy.said`` every turn for the
ids of the customers with a delete-all. Neither knows every other customer: the store keeps no raw id. What it
keeps is enough to recognise one. A turn's id-shaped words (a letter and a digit, ``SHORTEST_ID_LOOKED_FOR``
letters and digits or more: "share it with cus-411dc8da5285") are keyed as a customer id is
(``privacy.keys.speaker_keys``), and so is the fold of each (another case, full width: ``identity``); a word
whose key, or its fold's, is the speaker key of a customer with published rows (``ledger_speakers``) or of a
customer of the same landing file, or whose fold's digest names one (``speaker_folds``: an id in mixed case),
names that customer. The row is not published (``quality:turn_names_customer``); a turn naming its own speaker
is ``quality:turn_names_speaker``'s.

A customer seen for the first time in another landing file of the same night is known once every file is
decided: each id partition's turns are read again against the night's customers (``jobs.publish.gate_partition``).
Not recognised (docs/notes.md, "Known gaps"): an id said with its digits as words or written with spaces inside it
("cus 411 dc8da5285"), and a customer the lake first hears of on a later night than the turn.

**What it costs.** One RE2 pass a turn finds the rows with a word holding a letter and a digit; those rows'
words are read in Python, and each distinct id-shaped word is keyed once and looked up in one query a file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.privacy.identity import canonical_ids, key_of_canonical
from utterance_governance.privacy.keys import fold_digests, speaker_keys
from utterance_governance.rules.quality import SHORTEST_ID_LOOKED_FOR, bare_id

TURN_NAMES_CUSTOMER = S.quality_reason("turn_names_customer")

# a word with a letter and a digit in it (RE2: the rows worth reading in Python)
_ID_SHAPED = r"\p{L}[^\s]*\p{Nd}|\p{Nd}[^\s]*\p{L}"
# what ends a sentence or a quote around a word, and a possessive
_EDGES = ".,;:!?'\"()[]{}<>«»“”‘’„`*"
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
# a word's runs of letters, digits and hyphens ("_cus-123abc45_", "「cus-123abc45」", "cus-123abc45.json",
# "cus-123abc45+work"): an id written inside other marks
_LETTERS_DIGITS_AND_HYPHENS = re.compile(r"[^\W_](?:[^\W_]|-)*[^\W_]")
# what joins an id to other words inside one (a link's slashes, "id:", "@", a list's commas, a dash of prose)
_JOINERS = re.compile(r"[/:=@#,;|&?!()\[\]{}<>\"“”«»—–…]+")
# kanji, kana and hangul: scripts written without spaces, where a "word" is a clause ("10分のタイマーをセットして"),
# not an id
_UNSPACED_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f\uac00-\ud7af]")

# (speaker keys, fold digests) of a turn's id-shaped words -> the speaker keys among them of customers with
# published rows, and the speakers of each fold digest (``speaker_folds``: ids in mixed case)
KnownCustomers = Callable[[Sequence[str], Sequence[str]], tuple[set[str], dict[str, set[str]]]]


def id_words(text: str) -> set[str]:
    """The words of ``text`` an account id may be: a letter and a digit, and ``SHORTEST_ID_LOOKED_FOR``
    letters and digits or more, without the punctuation of the sentence around them. A word is also read in the
    parts that punctuation no id is written with joins (a link ``https://x.com/u/cus-123abc45``, ``id:…``,
    ``@…``, ``…,…``, ``…—thanks``)."""
    words = set()
    for raw in text.split():
        for part in {raw, *_JOINERS.split(raw), *_LETTERS_DIGITS_AND_HYPHENS.findall(raw)}:
            word = _POSSESSIVE.sub("", part.strip(_EDGES)).strip(_EDGES)
            if len(word) < SHORTEST_ID_LOOKED_FOR or (not word.isascii() and _UNSPACED_SCRIPT.search(word)):
                continue
            bare = bare_id(word)
            if (
                len(bare) >= SHORTEST_ID_LOOKED_FOR
                and any(c.isdigit() for c in bare)
                and any(c.isalpha() for c in bare)
            ):
                words.add(word)
    return words


def rows_naming_customers(
    turns: Sequence[pa.Array | pa.ChunkedArray],
    own: pa.Array,
    key: bytes,
    file_speakers: Collection[str],
    known: KnownCustomers | None = None,
) -> np.ndarray:
    """The positions of the rows one of whose ``turns`` writes the id of a customer other than the row's own
    speaker (``own``: the rows' speaker keys) whom the store (``known``), the file or the privacy records
    (``file_speakers``: the speaker keys of the file's customers and of every customer a privacy record names,
    ``PrivacyState.named_customer_keys``: an opted-out or held customer has no live row) knows; sorted."""
    words_of: dict[int, set[str]] = {}
    for turn in turns:
        turn = turn.combine_chunks() if isinstance(turn, pa.ChunkedArray) else turn
        if not len(turn):
            continue
        hit = np.flatnonzero(np.asarray(pc.fill_null(pc.match_substring_regex(turn, _ID_SHAPED), False)))
        for row, text in zip(hit.tolist(), turn.take(pa.array(hit, pa.int64())).to_pylist(), strict=True):
            words = id_words(text)
            if words:
                words_of.setdefault(row, set()).update(words)
    if not words_of:
        return np.zeros(0, dtype=np.int64)
    words = sorted(set().union(*words_of.values()))
    canonical = canonical_ids(pa.array(words, pa.string()))
    folds = key_of_canonical(canonical)
    as_written = speaker_keys(canonical, key).to_pylist()  # (canonical already: the ASCII path, fast)
    as_folded = speaker_keys(folds, key).to_pylist()
    fold_keys = fold_digests(folds, key).to_pylist()
    keys_of = {
        word: {k for k in (written, folded) if k}
        for word, written, folded in zip(words, as_written, as_folded, strict=True)
    }
    known_keys, fold_speakers = set(file_speakers), {}
    if known is not None:
        published, fold_speakers = known(
            sorted({k for ks in keys_of.values() for k in ks} - known_keys),
            sorted({f for f in fold_keys if f}),
        )
        known_keys |= published
    named_by = {
        word: (keys & known_keys) | fold_speakers.get(fold, set())
        for (word, keys), fold in zip(keys_of.items(), fold_keys, strict=True)
    }
    own_keys = own.to_pylist()
    return np.asarray(
        [
            row
            for row, row_words in sorted(words_of.items())
            if any(named_by[w] - {own_keys[row]} for w in row_words)
        ],
        dtype=np.int64,
    )

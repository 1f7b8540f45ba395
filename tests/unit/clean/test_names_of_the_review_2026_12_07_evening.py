"""Names of the review of 2026-12-07 (evening): four forms redaction kept (or damaged) and the gate published.

1. The French cue "écris à" starts with a non-ASCII letter: the names prefilter of the vectorised path (RE2 ``\\b``
   is ASCII-only) never picked the row, so ``redact_array`` - the path the pipeline runs - kept a lower-case name
   that ``redact_text`` redacts (docs/redaction.md: redact_array is "equal to [redact_text(x, l) ...]").
2. Names after a request, "my" and a kinship word that the closed ``_RELATIONS`` list lacked (grandson,
   stepmom, brother-in-law, ex-wife, godmother, gf ...), in lower case as speech recognition writes them.
3. French "ma"/"mon", Spanish "mi", Italian "mia"/"mio" are gazetteer names ("Ma", "Mon", "Mi", "Mia"): before a
   relation word outside ``_RELATIONS`` the possessive itself became ``[NAME]`` ("appelle ma grand-mère" ->
   "appelle [NAME] grand-mère"), and the name after such a relation survived ("appelle ma blonde Geneviève").
4. Lower-case given names after the other languages' forms of "call", "call back", "tell", "remind", "send … to"
   ("lena anrufen", "rappelle julie", "di a giulia che arrivo", "call back jessica").

Each case says what it gave before ("Before:"); benign look-alikes keep their bytes on both paths and are not
flagged by the gate's detector (docs/redaction.md, "Read since the review of 2026-12-07 (evening)")."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from utterance_governance.clean.redact import redact_array, redact_text
from utterance_governance.detect import flag_rows


def _array(text: str, locale: str) -> str:
    return redact_array(pa.array([text]), pa.array([locale]))[0].as_py()


def _line(uid: str, customer: str, locale: str, text: str) -> bytes:
    return json.dumps({"utterance_id": uid, "customer_id": customer, "captured_at": "2026-11-20T10:00:00Z",
                       "locale": locale, "transcript": text, "response": "Okay.",
                       "asr_confidence": 0.95}).encode() + b"\n"  # fmt: skip


def _publish_rows(tmp_path, rows: list[tuple[str, str]]) -> dict[str, str]:
    """Publishes one night of ``rows`` ((locale, transcript), one customer each); returns the live
    transcripts by utterance id."""
    from tests.pipeline import Lake

    from utterance_governance.publish.commit import read_current, read_manifest

    lake = Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'governance.db'}")
    body = b"".join(_line(f"u-{i}", f"cus-rev-{i:04d}", loc, text) for i, (loc, text) in enumerate(rows))
    lake.storage.write_bytes("landing/utterances/dt=2026-11-20/a.jsonl", body)
    lake.publish()
    storage = lake.storage
    current = read_current(storage, "assistant-sft")
    assert current is not None, "nothing was published"
    manifest = read_manifest(storage, "assistant-sft", current["version"])
    out: dict[str, str] = {}
    for shard in manifest["shards"]:
        table = storage.read_parquet(f"published/assistant-sft/{shard['path']}", ["utterance_id", "messages"])
        for uid, messages in zip(table.column(0).to_pylist(), table.column(1).to_pylist(), strict=True):
            out[uid] = next(m["content"] for m in messages if m["role"] == "user")
    return out


# --- 1. "écris à": the vectorised path reads what the reference reads ------------------------------------------

ECRIS = ["écris à julie", "écris à marie dubois", "Écris à lucas que je suis en retard"]


@pytest.mark.parametrize("locale", ["fr-CA", "fr-FR"])
@pytest.mark.parametrize("text", ECRIS)
def test_redact_array_equals_redact_text_after_ecris(text, locale):
    """Before: ``redact_array`` kept the text whole ("écris à julie"); ``redact_text`` gave "écris à [NAME]"."""
    single = redact_text(text, locale)
    assert "[NAME]" in single  # the reference redacts the name
    assert _array(text, locale) == single


def test_a_full_name_after_ecris_is_flagged_by_the_detector():
    """Before: the detector read no "écris à" (and the gate passed "écris à marie dubois" whole)."""
    assert flag_rows(["écris à marie dubois"], ["fr-FR"], sample_rate=0.0).tolist() == [True]
    assert flag_rows([redact_text("écris à marie dubois", "fr-FR")], ["fr-FR"], sample_rate=0.0).tolist() == [
        False
    ]


def test_a_name_after_ecris_is_not_published(tmp_path):
    """End to end (fr-CA: no opt-in needed). Before: the name was published readable."""
    live = _publish_rows(tmp_path, [("fr-CA", "écris à marie dubois"), ("fr-CA", "quelle heure est-il")])
    assert "u-0" in live
    assert "marie" not in live["u-0"].lower() and "dubois" not in live["u-0"].lower(), live["u-0"]


# --- 2. names after a kinship word the closed list lacked -------------------------------------------------------

KINSHIP = [
    ("call my grandson ethan", "ethan"),
    ("call my granddaughter emma", "emma"),
    ("call my stepmom linda", "linda"),
    ("call my stepdad mike", "mike"),
    ("call my brother-in-law kevin", "kevin"),
    ("call my sister-in-law karen", "karen"),
    ("call my ex-wife jennifer", "jennifer"),
    ("call my godmother linda", "linda"),
    ("text my stepson tyler", "tyler"),
    ("text my gf ashley", "ashley"),
    ("call my great-grandmother rose smith", "smith"),
]


@pytest.mark.parametrize(("text", "name"), KINSHIP)
def test_a_name_after_an_unlisted_kinship_word_is_redacted(text, name):
    """Before: kept whole ("call my grandson ethan")."""
    assert name not in redact_text(text, "en-US")
    assert name not in _array(text, "en-US")


def test_a_grandson_s_name_is_not_published(tmp_path):
    """End to end. Before: the night published the rows with the names readable (the gate passed them)."""
    live = _publish_rows(
        tmp_path, [("en-US", "call my grandson ethan"), ("en-US", "call my ex-wife jennifer")]
    )
    assert set(live) == {"u-0", "u-1"}
    assert "ethan" not in live["u-0"], live["u-0"]
    assert "jennifer" not in live["u-1"], live["u-1"]


# --- 3. a possessive is never a name ----------------------------------------------------------------------------

POSSESSIVE = [
    ("fr-FR", "appelle ma grand-mère"),
    ("fr-FR", "appelle mon grand-père"),
    ("fr-FR", "appelle ma belle-sœur"),
    ("fr-FR", "appelle mon médecin"),
    ("fr-FR", "appelle mon dentiste"),
    ("fr-FR", "appelle ma banque"),
    ("fr-CA", "appelle ma pharmacie"),
    ("es-ES", "llama a mi suegra"),
    ("es-ES", "llama a mi abuelita"),
    ("es-MX", "llama a mi mami"),
    ("it-IT", "chiama mia suocera"),
    ("it-IT", "chiama mio cognato"),
]


@pytest.mark.parametrize(("locale", "text"), POSSESSIVE)
def test_a_request_to_call_a_relative_keeps_its_bytes(locale, text):
    """Before: "appelle [NAME] grand-mère", "llama a [NAME] suegra", "chiama [NAME] cognato"."""
    assert redact_text(text, locale) == text
    assert _array(text, locale) == text


@pytest.mark.parametrize(
    ("locale", "text", "expected"),
    [
        # Before: "appelle [NAME] blonde Geneviève", "llama a [NAME] suegra lucía"
        ("fr-CA", "appelle ma blonde Geneviève", "appelle ma blonde [NAME]"),
        ("es-ES", "llama a mi suegra lucía", "llama a mi suegra [NAME]"),
        ("de-DE", "ruf mia an", "ruf [NAME] an"),  # a name still: "mia" before a function word
        ("it-IT", "chiama Mia", "chiama [NAME]"),
    ],
)
def test_a_name_after_a_possessive_and_a_relation_is_redacted(locale, text, expected):
    assert redact_text(text, locale) == expected
    assert _array(text, locale) == expected


def test_a_name_after_ma_blonde_is_not_published(tmp_path):
    """End to end. Before: "appelle [NAME] blonde Geneviève" and "appelle [NAME] grand-mère" were published."""
    live = _publish_rows(
        tmp_path, [("fr-CA", "appelle ma blonde Geneviève"), ("fr-CA", "appelle ma grand-mère")]
    )
    assert set(live) == {"u-0", "u-1"}
    assert "Geneviève" not in live["u-0"], live["u-0"]
    assert live["u-1"] == "appelle ma grand-mère"


# --- 4. lower-case names after the other languages' request cues ------------------------------------------------

CUES = [
    ("de-DE", "lena anrufen", "lena"),  # the infinitive request ("Anna anrufen" was redacted)
    ("de-DE", "erinnere lena an den termin", "lena"),  # remind
    ("de-DE", "schick lena eine whatsapp", "lena"),  # send X a message
    ("es-ES", "recuérdale a lucía la cita", "lucía"),  # remind
    ("es-MX", "manda un whatsapp a lucía", "lucía"),  # send … to
    ("es-MX", "escríbele a lucía", "lucía"),  # write to
    ("it-IT", "di a giulia che arrivo", "giulia"),  # tell
    ("nl-NL", "stuur een appje naar sanne", "sanne"),  # send … to
    ("pt-BR", "manda mensagem pra ana", "ana"),  # message to
    ("pt-BR", "fala pra beatriz que eu vou atrasar", "beatriz"),  # tell
    ("fr-CA", "rappelle julie", "julie"),  # call back
    ("en-US", "call back jessica", "jessica"),  # call back
    ("en-US", "reply to jessica", "jessica"),
]


@pytest.mark.parametrize(("locale", "text", "name"), CUES)
def test_a_lower_case_name_after_a_request_is_redacted(locale, text, name):
    """Before: each text was kept whole, on both paths."""
    assert name not in redact_text(text, locale).split()
    assert name not in _array(text, locale).split()


@pytest.mark.parametrize(
    ("locale", "text", "expected"),
    [
        ("it-IT", "di a giulia che arrivo", "di a [NAME] che arrivo"),  # (not "di a [NAME] arrivo")
        # Before: "scrivi a [NAME] arrivo"
        ("it-IT", "scrivi a giulia rossi che arrivo", "scrivi a [NAME] che arrivo"),
        ("de-DE", "erinnere lena an den termin", "erinnere [NAME] an den termin"),
        ("de-DE", "lena anrufen", "[NAME] anrufen"),
        ("fr-CA", "rappelle julie", "rappelle [NAME]"),
    ],
)
def test_only_the_name_is_taken(locale, text, expected):
    assert redact_text(text, locale) == expected
    assert _array(text, locale) == expected


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        ("fr-FR", "écris à marie dubois"),
        ("de-DE", "erinnere lena müller an den termin"),
        ("de-DE", "schick lena müller eine whatsapp"),
        ("es-ES", "recuérdale a lucía garcía la cita"),
        ("es-MX", "manda un whatsapp a lucía garcía"),
        ("it-IT", "di a giulia rossi che arrivo"),
        ("nl-NL", "stuur een appje naar sanne de vries"),
        ("fr-CA", "rappelle julie dubois"),
    ],
)
def test_the_detector_flags_a_full_name_after_the_new_cues(locale, text):
    """The gate's detector reads a given name and a surname of its lists after these cues (its own code),
    and nothing in what redaction leaves. Before: none was flagged."""
    assert flag_rows([text], [locale], sample_rate=0.0).tolist() == [True]
    assert flag_rows([redact_text(text, locale)], [locale], sample_rate=0.0).tolist() == [False]


def test_they_are_not_published(tmp_path):
    """End to end. Before: the four names were published readable."""
    rows = [("pt-BR", "fala pra beatriz que eu vou atrasar"), ("es-MX", "manda un whatsapp a lucía"),
            ("fr-CA", "rappelle julie"), ("pt-BR", "manda mensagem pra ana")]  # fmt: skip
    live = _publish_rows(tmp_path, rows)
    assert set(live) == {"u-0", "u-1", "u-2", "u-3"}
    names = ("beatriz", "lucía", "julie", "ana")
    leaked = {uid: text for uid, text in live.items() if any(n in text.split() for n in names)}
    assert not leaked, leaked


# --- what keeps its bytes ---------------------------------------------------------------------------------------

BENIGN = [
    ("en-US", "call mom"),
    ("fr-FR", "appelle ma grand-mère"),
    ("en-US", "play Frank Sinatra"),
    ("en-US", "add bread to my list"),
    ("en-US", "remind me to call back"),
    ("en-US", "reply to the email"),
    ("en-US", "call back later"),
    ("en-US", "call back tomorrow morning"),
    ("en-US", "reply to all"),
    ("en-US", "call my stepmom"),
    ("en-US", "text my ex-wife that i'm running late"),
    ("en-US", "call my brother-in-law back"),
    ("de-DE", "erinnere mich an den termin"),
    ("de-DE", "schick mir das foto"),
    ("de-DE", "schick Fotos an Oma"),
    ("de-DE", "mama anrufen"),
    ("de-DE", "morgen anrufen"),
    ("fr-FR", "rappelle-moi demain"),
    ("fr-FR", "rappelle moi dans une heure"),
    ("fr-FR", "écris à ma sœur"),
    ("it-IT", "di a che ora parte il treno"),
    ("it-IT", "chiama mio cognato"),
    ("es-ES", "llama a mi jefe"),
    ("es-MX", "manda un whatsapp a mi mamá"),
    ("pt-BR", "fala pra mãe que eu vou atrasar"),
    ("pt-BR", "manda mensagem pra minha irmã"),
    ("nl-NL", "herinner me aan de afspraak"),
    ("nl-NL", "stuur een appje naar mama"),
]


@pytest.mark.parametrize(("locale", "text"), BENIGN)
def test_a_text_without_a_name_keeps_its_bytes_and_is_not_flagged(locale, text):
    assert redact_text(text, locale) == text
    assert _array(text, locale) == text
    assert flag_rows([text], [locale], sample_rate=1.0).tolist() == [False]

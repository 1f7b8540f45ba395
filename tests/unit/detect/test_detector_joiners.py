"""The gate's detector reads what redaction reads between digit groups: a spoken "dot", "point", "slash",
"comma", "then" or dash between two words for a digit ("four one five dot five five five dot zero one
two three"), in every supported language, and the Japanese full stop between digits ("090。1234。5678")
or inside an e-mail address ("tanaka.taro@gmail。com"), and the acute accent ("415´555´0123"). Before,
redaction read them and the detector did not: what redaction would miss, the gate would miss too.

And it flags nothing redaction keeps: a joiner beside a word that is no digit, decimals, versions,
chapters, short lists, times, dates, prices (each would block a night)."""

from __future__ import annotations

import pytest

from utterance_governance.clean.redact import redact_text
from utterance_governance.detect import find_in_text, flag_rows

JOINED = [
    ("my number is four one five dot five five five dot zero one two three", "en-US"),
    ("my number is four one five point five five five point zero one two three", "en-US"),
    ("my number is four one five slash five five five slash zero one two three", "en-US"),
    ("my number is four one five period five five five period zero one two three", "en-US"),
    ("my number is four one five then five five five then zero one two three", "en-US"),
    ("my number is four one five, comma, five five five, comma, zero one two three", "en-US"),
    ("my ssn is one two three dash four five dash six seven eight nine", "en-US"),
    ("call zero six dot one two dot three four dot five six", "en-GB"),
    ("meine Nummer ist null eins sieben eins punkt eins zwei drei punkt vier fünf sechs sieben", "de-DE"),
    ("meine Nummer ist null eins sieben eins schrägstrich eins zwei drei schrägstrich vier fünf sechs sieben", "de-DE"),
    ("meine Nummer ist null eins sieben eins dann eins zwei drei dann vier fünf sechs sieben", "de-DE"),
    ("meine Nummer ist null eins sieben eins strich eins zwei drei strich vier fünf", "de-DE"),
    ("mon numéro est le zéro six point un deux trois point quatre cinq six sept", "fr-FR"),
    ("mon numéro est le zéro six virgule un deux trois virgule quatre cinq six sept", "fr-FR"),
    ("mi número es el seis uno dos punto tres cuatro cinco punto seis siete ocho", "es-ES"),
    ("mi número es el seis uno dos barra tres cuatro cinco barra seis siete ocho", "es-ES"),
    ("il mio numero è tre quattro sette punto uno due tre punto quattro cinque sei sette", "it-IT"),
    ("il mio numero è tre quattro sette virgola uno due tre virgola quattro cinque sei sette", "it-IT"),
    ("mijn nummer is nul zes punt een twee drie vier punt vijf zes zeven acht", "nl-NL"),
    ("mijn nummer is nul zes schuine streep een twee drie vier schuine streep vijf zes zeven acht", "nl-NL"),
    ("appelle le zéro six tiret douze tiret trente-quatre tiret cinquante-six tiret soixante-dix-huit", "fr-FR"),
    ("o número é nove nove oito sete seis traço quatro três dois um", "pt-BR"),
    ("liga para nove nove oito sete seis ponto quatro três dois um", "pt-BR"),
    ("電話番号は090。1234。5678です", "ja-JP"),
    ("my number is 415。555。0123", "en-US"),
    ("my number is 415 。 555 。 0123", "en-US"),
    ("メールアドレスはtanaka.taro@gmail。comです", "ja-JP"),
    ("my number is 415´555´0123", "en-US"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "locale"), JOINED)
def test_digit_groups_joined_as_redaction_joins_them_are_found(text: str, locale: str) -> None:
    assert find_in_text(text, locale), text
    redacted = redact_text(text, locale)
    assert redacted != text
    assert flag_rows([redacted], [locale], sample_rate=0).tolist() == [False]


KEPT = [
    ("page one dot two", "en-US"),
    ("go to page one dot two dot three", "en-US"),
    ("chapter one dot two dot three", "en-US"),
    ("version two point one point three", "en-US"),
    ("upgrade to version one point two point three point four", "en-US"),
    ("set a timer for five point five minutes", "en-US"),
    ("three point one four one five nine", "en-US"),
    ("twenty point five degrees", "en-US"),
    ("buy one then two then three apples", "en-US"),
    ("i want one comma two comma three", "en-US"),
    ("count one two three then four five six", "en-US"),
    ("the score was two dash one then three dash two", "en-US"),
    ("wake me at six thirty then seven fifteen then eight", "en-US"),
    ("it is five dot com and one dot org", "en-US"),
    ("one point five million people then two point three million", "en-US"),
    ("the twenty twenty four dot one release", "en-US"),
    ("on the twelfth dot five minutes past two", "en-US"),
    ("Kapitel eins punkt zwei punkt drei", "de-DE"),
    ("version deux point un point trois", "fr-FR"),
    ("capítulo uno punto dos punto tres", "es-ES"),
    ("uno punto cinco litri e due punto tre", "it-IT"),
    ("hoofdstuk een punt twee punt drie", "nl-NL"),
    ("seis o siete punto ocho", "es-ES"),
    ("la page douze tiret treize", "fr-FR"),
    ("de vingt tiret trente degrés", "fr-FR"),
    ("le score est de douze tiret quinze", "fr-FR"),
    ("今日はOK。明日は晴れ。", "ja-JP"),
    ("価格は5。99ドルです。", "ja-JP"),
    ("2026。12。05に会議", "ja-JP"),
    ("バージョン1。2。3です", "ja-JP"),
    ("会議はiPhone。ありがとう", "ja-JP"),
    ("第1。2章を読む", "ja-JP"),
    ("1´000´000 Franken", "de-CH"),
    ("don´t call me before 10", "en-US"),
]


@pytest.mark.parametrize(("text", "locale"), KEPT)
def test_look_alikes_are_kept_by_redaction_and_not_flagged(text: str, locale: str) -> None:
    assert redact_text(text, locale) == text
    assert flag_rows([text], [locale], sample_rate=0).tolist() == [False]

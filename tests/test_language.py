"""Tests for classifier.language: English is never flagged, clearly foreign text is."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.language import THRESHOLD, english_likelihood, is_probably_english

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))

ENGLISH = {
    "news": (
        "The town council voted on Tuesday to close the bridge over the river, saying that "
        "an inspection had found serious corrosion in its supports. Residents said they "
        "were not consulted, and the mayor promised a shuttle bus while repairs go ahead."
    ),
    "names_and_numbers": (
        "Jean-Luc De La Cruz, 54, of Los Angeles, and Van Dijk & Co. reported Q3 revenue of "
        "$12.4m (up 8% YoY) on 3 Oct 2023; shares of ACME Corp. rose 2.1% to $45.60 in New "
        "York, while Deutsche Bank AG and Banco do Brasil SA fell 0.7% and 1.2%."
    ),
    "all_caps": "BREAKING: THE COUNCIL HAS VOTED TO CLOSE THE BRIDGE FOR AT LEAST A YEAR.",
    "curly_quotes": (
        "\u201cIt\u2019s a disgrace,\u201d said the baker, who doesn\u2019t drive and "
        "can\u2019t reach the pharmacy \u2014 \u201cthey didn\u2019t even ask us.\u201d"
    ),
    "french_quote": (
        "The mayor said the closure was temporary. \"C'est une honte, nous n'avons pas été "
        "consultés\", said one resident, who has lived by the river for 40 years. Engineers "
        "will inspect the supports again next month, and the council expects to publish its "
        "report in the spring."
    ),
    "russian_quote": (
        "The delegation arrived on Monday and the minister told reporters that talks had "
        "been constructive. \u00abМы довольны результатом\u00bb, he said in Russian, before "
        "the meeting with the trade committee resumed in the afternoon."
    ),
    "code": (
        "def close_bridge(bridge_id, reason=None):\n"
        "    if bridge_id not in OPEN_BRIDGES:\n"
        "        raise KeyError(bridge_id)\n"
        "    for x, y in zip(a, b):\n"
        "        print(x, y)\n"
        "    return {'id': bridge_id, 'closed': True}\n"
    ),
    "json": '{"id": 42, "name": "Brannock Bridge", "status": "closed", "lanes": [1, 2, 3]}',
    "numbers_only": "12 345 6789 2024 3.14 100% 7/11",
    "headline": "Port Averly shuts Brannock Bridge",
    "headline_with_names": "De La Cruz wins Los Angeles race",
}

SHORT = [
    "",
    "   ",
    "Bridge closed",
    "Council shuts Brannock Bridge",
    "Le pont est fermé",
    "Die Brücke ist zu",
    "Мост закрыт на ремонт",
    "\u5927\u6865\u5173\u95ed",  # 4 Chinese characters: a four-word headline
]

FOREIGN = {
    "french": (
        "Le conseil municipal a voté mardi la fermeture du pont, en expliquant qu'une "
        "inspection avait révélé une corrosion grave de ses piliers. Les habitants disent "
        "qu'ils n'ont pas été consultés et le maire promet une navette pendant les travaux."
    ),
    "german": (
        "Der Stadtrat hat am Dienstag beschlossen, die Brücke über den Fluss zu schließen, "
        "weil bei einer Prüfung schwere Korrosion an den Pfeilern festgestellt wurde. Die "
        "Anwohner sagen, sie seien nicht gefragt worden, und der Bürgermeister verspricht "
        "einen Bus."
    ),
    "spanish": (
        "El ayuntamiento votó el martes el cierre del puente sobre el río, y explicó que una "
        "inspección había encontrado una corrosión grave en sus pilares. Los vecinos dicen "
        "que no fueron consultados y el alcalde promete un autobús durante las obras."
    ),
    "italian": (
        "Il consiglio comunale ha votato martedì la chiusura del ponte sul fiume, spiegando "
        "che un'ispezione aveva trovato una grave corrosione nei piloni. I residenti dicono "
        "di non essere stati consultati e il sindaco promette una navetta per i lavori."
    ),
    "portuguese": (
        "A câmara municipal votou na terça-feira o encerramento da ponte sobre o rio, "
        "explicando que uma inspeção tinha encontrado corrosão grave nos pilares. Os "
        "moradores dizem que não foram consultados e o presidente promete um autocarro."
    ),
    "dutch": (
        "De gemeenteraad heeft dinsdag besloten de brug over de rivier te sluiten, omdat bij "
        "een inspectie ernstige corrosie aan de pijlers werd gevonden. De bewoners zeggen dat "
        "zij niet zijn geraadpleegd en de burgemeester belooft een pendelbus."
    ),
    "russian": (
        "Городской совет во вторник проголосовал за закрытие моста через реку, заявив, что "
        "проверка выявила серьёзную коррозию опор. Жители говорят, что с ними не "
        "советовались, а мэр обещает бесплатный автобус на время ремонта."
    ),
    "chinese": (
        "\u5e02\u8bae\u4f1a\u5468\u4e8c\u6295\u7968\u51b3\u5b9a\u5173\u95ed\u8fd9\u5ea7"
        "\u8de8\u6cb3\u5927\u6865\uff0c\u79f0\u68c0\u67e5\u53d1\u73b0\u6865\u58a9\u4e25"
        "\u91cd\u8150\u8680\u3002\u5c45\u6c11\u8868\u793a\uff0c\u4ed6\u4eec\u4e8b\u5148"
        "\u6ca1\u6709\u88ab\u5f81\u6c42\u610f\u89c1\u3002"
    ),
    "arabic": (
        "صوّت مجلس المدينة يوم الثلاثاء على إغلاق الجسر فوق النهر، قائلاً إن الفحص كشف عن "
        "تآكل خطير في الدعامات. ويقول السكان إنه لم تتم استشارتهم."
    ),
    "russian_with_english_names": (
        "Председатель совета Иван Петров заявил журналистам, что мост закроют на ремонт, а "
        "компания Bridge Works Ltd получит контракт. Жители недовольны решением и требуют "
        "новых слушаний."
    ),
    "french_with_english_quote": (
        "Le maire a déclaré que la fermeture était temporaire. « We had no choice », a-t-il "
        "ajouté en anglais devant les journalistes. Les ingénieurs vont inspecter les piliers "
        "le mois prochain et le conseil publiera son rapport au printemps."
    ),
}


@pytest.mark.parametrize("path", SEEDS, ids=lambda path: path.name)
def test_seed_articles_are_english(path: Path) -> None:
    assert english_likelihood(path.read_text(encoding="utf-8")) > 0.9


@pytest.mark.parametrize("text", ENGLISH.values(), ids=ENGLISH.keys())
def test_english_and_english_like_text_is_not_flagged(text: str) -> None:
    assert is_probably_english(text)


@pytest.mark.parametrize("name", ["news", "names_and_numbers", "all_caps", "curly_quotes"])
def test_english_prose_scores_high(name: str) -> None:
    assert english_likelihood(ENGLISH[name]) > 0.8


@pytest.mark.parametrize("text", SHORT)
def test_short_text_counts_as_english(text: str) -> None:
    assert english_likelihood(text) == 1.0
    assert is_probably_english(text)


def test_short_foreign_text_past_the_word_limit_is_flagged() -> None:
    assert not is_probably_english("Le pont de la rivière est fermé")


@pytest.mark.parametrize("text", FOREIGN.values(), ids=FOREIGN.keys())
def test_foreign_text_is_flagged(text: str) -> None:
    assert english_likelihood(text) < THRESHOLD
    assert not is_probably_english(text)


@pytest.mark.parametrize("name", ["russian", "chinese", "arabic"])
def test_non_latin_script_scores_near_zero(name: str) -> None:
    assert english_likelihood(FOREIGN[name]) < 0.05


def test_long_texts_are_sampled_without_changing_the_verdict() -> None:
    for paragraph, english in [(ENGLISH["news"], True), (FOREIGN["french"], False),
                               (FOREIGN["russian"], False)]:
        long_text = " ".join([paragraph] * 400)
        assert len(long_text.split()) > 10_000
        assert is_probably_english(long_text) is english


def _random_article(n_words: int, seed: int = 0) -> str:
    """Zipf-like English: function words plus a large open vocabulary."""
    rng = random.Random(seed)
    function_words = ENGLISH["news"].lower().replace(",", "").replace(".", "").split()
    vocabulary = [f"{rng.choice('bcdfghlmnprst')}{rng.choice('aeiou')}ll{i}" for i in
                  range(6000)]
    return " ".join(rng.choice(function_words) if rng.random() < 0.5 else
                    rng.choice(vocabulary) for _ in range(n_words))


def test_deterministic() -> None:
    text = _random_article(5000, seed=1)
    assert len({english_likelihood(text) for _ in range(3)}) == 1


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=500))
def test_likelihood_is_a_probability_for_any_text(text: str) -> None:
    value = english_likelihood(text)
    assert 0.0 <= value <= 1.0
    assert is_probably_english(text) == (value >= THRESHOLD)

"""Tests for classifier.sentences: segmentation of news text with exact offsets."""

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.sentences import line_blocks, split_sentences

# Characters that may be left out of every span: bullet markers ("- ", "• ", "12. ", "3) ").
BULLET_MARKER_CHARS = set("-–*•·‣◦▪●○■□.)0123456789")


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def assert_valid_spans(text: str, spans: list[tuple[int, int]]) -> None:
    """Sorted, non-overlapping, in bounds, non-empty, stripped."""
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        previous_end = end


def uncovered(text: str, spans: list[tuple[int, int]]) -> str:
    """The non-whitespace characters that no span covers."""
    covered = bytearray(len(text))
    for start, end in spans:
        covered[start:end] = b"\x01" * (end - start)
    pairs = zip(text, covered, strict=True)
    return "".join(ch for ch, hit in pairs if not hit and not ch.isspace())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello world. This is a test.", ["Hello world.", "This is a test."]),
        ("One sentence without a full stop", ["One sentence without a full stop"]),
        ("Is it? Yes! Really?! Wow!! Fine… Done.",
         ["Is it?", "Yes!", "Really?!", "Wow!!", "Fine…", "Done."]),
        ("Wait... what happened? Nothing.", ["Wait... what happened?", "Nothing."]),
        ("He paused... The crowd waited.", ["He paused...", "The crowd waited."]),
        ("Yahoo! announced results.", ["Yahoo! announced results."]),
    ],
)
def test_terminal_punctuation(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Dr. Smith met Mr. and Mrs. Jones and Ms. Lee at noon.",
        "Prof. Brown, Gen. Milley, Sen. Warren, Rep. Ocasio-Cortez and Gov. Newsom spoke.",
        "Lt. Col. Vindman and Sgt. Pepper and Rev. Sharpton met Capt. Hook.",
        "U.S. Reps. John Lewis and Andre Carson walked out.",
        "He lives on St. Louis Avenue in St. Paul.",
        "Martin Luther King Jr. Day falls on Monday.",
        "Apple Inc. and Acme Corp. and Foo Ltd. and Bar Co. merged on Monday.",
        "It was Smith vs. Jones in the final.",
        "Fruit, e.g. apples, and vegetables, i.e. carrots, were sold.",
        "Fruit, e.g. Apples and Pears, were sold.",
        "The meeting starts at 9 a.m. Tuesday and ends at 5 p.m. Wednesday.",
        "U.S. President Joe Biden spoke to the U.N. Security Council.",
        "The U.K. Parliament met in Washington, D.C. Mayor Bowser attended.",
        "J. R. R. Tolkien wrote it and George W. Bush read it.",
        "He was born on Jan. 5, 1950, and died on Feb. 3 or Sept. 9 or Dec. 25.",
        "Apollo 11 was mission No. 5 in the list of Vol. 2 on p. 14.",
        "Prices rose 3.5 percent to $1,000.50 on Tuesday.",
        "Visit https://www.example.com/a.b?c=d.e or write to press.office@example.co.uk today.",
        "The file is named report.final.pdf and weighs 2.5 MB.",
        "Researchers at MIT and Ph.D. students agreed.",
        "Papers, e.g. The Times and i.e. The Guardian, agreed.",
        "Dr. Who returns with Mr. No and Gen. One.",
    ],
)
def test_abbreviations_and_numbers_do_not_split(text):
    assert sentences(text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He moved to the U.S. The next year he left.",
         ["He moved to the U.S.", "The next year he left."]),
        ("Apples, pears, etc. Some people like them.",
         ["Apples, pears, etc.", "Some people like them."]),
        ("The shop closes at 5 p.m. It opens at 9 a.m. Nobody complains.",
         ["The shop closes at 5 p.m.", "It opens at 9 a.m.", "Nobody complains."]),
        ("He worked for Acme Inc. But he quit.", ["He worked for Acme Inc.", "But he quit."]),
        ("The price was $1,000. The buyer paid.", ["The price was $1,000.", "The buyer paid."]),
        ("It fell 3.5%. Then it rose.", ["It fell 3.5%.", "Then it rose."]),
        ("Try Plan B. The rest failed.", ["Try Plan B.", "The rest failed."]),
        ("He said No. The room went quiet.", ["He said No.", "The room went quiet."]),
        ("Visit example.com. Then log in.", ["Visit example.com.", "Then log in."]),
        ("He left in 2020. 2021 was worse.", ["He left in 2020.", "2021 was worse."]),
    ],
)
def test_sentence_final_abbreviations_and_numbers(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"This is bad. We will fight," he said.', ['"This is bad.', 'We will fight," he said.']),
        ("“This is bad. We will fight,” he said.", ["“This is bad.", "We will fight,” he said."]),
        ('He said "no." Then he left.', ['He said "no."', "Then he left."]),
        ("He said “no.” Then he left.", ["He said “no.”", "Then he left."]),
        ("She wrote ‘never again.’ It was over.", ["She wrote ‘never again.’", "It was over."]),
        ("He called it 'over.' Then he left.", ["He called it 'over.'", "Then he left."]),
        ("(See the chart.) Then read on.", ["(See the chart.)", "Then read on."]),
        ("It ended [badly.] Then it began.", ["It ended [badly.]", "Then it began."]),
        ("“Why?” Smith asked. “Because.”", ["“Why?” Smith asked.", "“Because.”"]),
        ('"Great!" said Smith. He left.', ['"Great!" said Smith.', "He left."]),
        ("“Is it over?” he asked. No.", ["“Is it over?” he asked.", "No."]),
        ("“It’s over.” “Is it?” “Yes.”", ["“It’s over.”", "“Is it?”", "“Yes.”"]),
        ("He said: “We won. They lost.”", ["He said: “We won.", "They lost.”"]),
        ("“A ‘bad’ idea.” Next.", ["“A ‘bad’ idea.”", "Next."]),
    ],
)
def test_quotes_and_brackets_go_with_the_sentence_they_close(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("WASHINGTON (Reuters) - The Senate voted on Tuesday. It passed.",
         ["WASHINGTON (Reuters) - The Senate voted on Tuesday.", "It passed."]),
        ("LONDON, Jan. 5 — Prices rose. Markets fell.",
         ["LONDON, Jan. 5 — Prices rose.", "Markets fell."]),
        ("NEW YORK, N.Y. (AP) — Stocks fell on Monday.",
         ["NEW YORK, N.Y. (AP) — Stocks fell on Monday."]),
        ("WASHINGTON —\nThe Senate voted on Tuesday.",
         ["WASHINGTON —\nThe Senate voted on Tuesday."]),
        ("PARIS, Sept. 9 (AFP) - Police said the suspect fled.",
         ["PARIS, Sept. 9 (AFP) - Police said the suspect fled."]),
    ],
)
def test_datelines_stay_with_their_sentence(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Senate passes budget bill\nThe Senate voted on Tuesday to approve the budget bill.",
         ["Senate passes budget bill", "The Senate voted on Tuesday to approve the budget bill."]),
        ("Senate Passes Budget Bill\n\nThe Senate voted.", ["Senate Passes Budget Bill",
                                                           "The Senate voted."]),
        ("A line without a period\n\nAnother one", ["A line without a period", "Another one"]),
        ("BREAKING NEWS FROM THE CAPITAL TODAY\nSenators met.",
         ["BREAKING NEWS FROM THE CAPITAL TODAY", "Senators met."]),
        ("Senate Passes Sweeping Budget Bill After Months Of Bitter Talks\nBy Jane Doe\n"
         "WASHINGTON (Reuters) - The Senate voted on Tuesday.",
         ["Senate Passes Sweeping Budget Bill After Months Of Bitter Talks", "By Jane Doe",
          "WASHINGTON (Reuters) - The Senate voted on Tuesday."]),
        ("The vote was close\n\n\n   \n\nbut it passed.", ["The vote was close", "but it passed."]),
        ("Key points:\nThe economy grew.", ["Key points:", "The economy grew."]),
        ("First paragraph ends here.\nSecond paragraph starts here.",
         ["First paragraph ends here.", "Second paragraph starts here."]),
        ("Page one\u2029Page two", ["Page one", "Page two"]),
    ],
)
def test_headlines_and_paragraph_breaks(text, expected):
    assert sentences(text) == expected


PARAGRAPH = (
    "The Senate voted on Tuesday to approve the budget bill, which includes funding for "
    "Medicare and Social Security. Senate Majority Leader Chuck Schumer of New York and House "
    "Speaker Mike Johnson of Louisiana praised the measure, calling it a win for the American "
    "people and for President Joe Biden. Critics said the measure would raise taxes on the "
    "middle class, while supporters argued that it would help Washington, D.C. residents and "
    "the U.S. economy at large."
)


@pytest.mark.parametrize("width", [40, 55, 70, 72, 79])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_hard_wrapped_text_is_not_split_at_line_breaks(width, newline):
    wrapped = newline.join(textwrap.wrap(PARAGRAPH, width))
    flat = [" ".join(sentence.split()) for sentence in sentences(wrapped)]
    assert flat == sentences(PARAGRAPH)
    assert len(flat) == 3


def test_wrapped_paragraphs_separated_by_blank_lines():
    text = "\n\n".join(textwrap.fill(PARAGRAPH, 70) for _ in range(3))
    assert len(sentences(text)) == 9


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Key points:\n- Taxes rise\n- Spending falls", ["Key points:", "Taxes rise",
                                                          "Spending falls"]),
        ("* one\n* two", ["one", "two"]),
        ("• First item\n• Second item", ["First item", "Second item"]),
        ("1. First item\n2. Second item\n10. Tenth item", ["First item", "Second item",
                                                           "Tenth item"]),
        ("1) one\n2) two", ["one", "two"]),
        ("  - indented item\n  - another", ["indented item", "another"]),
        ("- Taxes rise. Spending falls.\n- Debt grows", ["Taxes rise.", "Spending falls.",
                                                          "Debt grows"]),
        ("- a long bullet item that wraps\n  onto a second line\n- next",
         ["a long bullet item that wraps\n  onto a second line", "next"]),
        ("– en dash item\n– another", ["en dash item", "another"]),
        ("- only one bullet", ["only one bullet"]),
    ],
)
def test_bullets_are_sentences_without_their_marker(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "He said the plan\n- which failed - was a disaster.",
        "The plan failed in the end\n-- and nobody noticed.",
        "-5 degrees is cold.",
        "3.5 million people voted.",
    ],
)
def test_dashes_and_numbers_that_are_not_bullets(text):
    assert sentences(text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("   ", []),
        ("\n\n\t \r\n\u00a0\u2028 ", []),
        ("  Hello there.  ", ["Hello there."]),
        ("\r\n\r\nFirst one.\r\nSecond one.\r\n", ["First one.", "Second one."]),
        ("Tab\tseparated. And\u00a0non-breaking\u00a0spaces.",
         ["Tab\tseparated.", "And\u00a0non-breaking\u00a0spaces."]),
        ("Über alles. École normale. Ωmega point.", ["Über alles.", "École normale.",
                                                     "Ωmega point."]),
        ("Emoji 🎉 party. Next 👍.", ["Emoji 🎉 party.", "Next 👍."]),
        ("今天下雨。明天晴天！真的吗？", ["今天下雨。", "明天晴天！", "真的吗？"]),
        ("Москва. Россия.", ["Москва.", "Россия."]),
        (".", ["."]),
        ("...", ["..."]),
        ("?!", ["?!"]),
    ],
)
def test_whitespace_and_unicode(text, expected):
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == expected
    assert_valid_spans(text, spans)


def test_offsets_are_exact_indices_into_the_original_string():
    text = " \u00a0“Café,” she said.\r\n\r\n\t• Item one\n  2) Item 𝒳 two. Last one "
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == [
        "“Café,” she said.", "Item one", "Item 𝒳 two.", "Last one"
    ]
    assert_valid_spans(text, spans)


@pytest.mark.parametrize(
    "text",
    [
        "word " * 200_000,  # a megabyte without punctuation
        "." * 100_000,
        "." * 100_000 + "x",
        "!?" * 50_000 + '"x',
        ". " * 100_000,
        "a. " * 100_000,
        "Dr. " * 100_000,
        '"' * 100_000,
        '." ' * 100_000,
        "“" * 50_000 + "”" * 50_000,
        "?!" * 100_000,
        "\n" * 100_000,
        "x\n" * 100_000,
        "- \n" * 50_000,
        "- x\n" * 50_000,
        "A\n" * 100_000,
        "x" * 1_000_000,
        "U.S." * 100_000,
        ". . . " * 50_000,
    ],
    ids=lambda text: repr(text[:8]),
)
def test_pathological_inputs_complete_with_valid_offsets(text):
    spans = split_sentences(text)
    assert_valid_spans(text, spans)
    assert set(uncovered(text, spans)) <= BULLET_MARKER_CHARS


def test_line_blocks_offsets():
    text = "  Title\r\nsecond line \n\n \nNext\u2029After"
    assert line_blocks(text) == [[(0, 2, 7), (9, 9, 20)], [(25, 25, 29)], [(30, 30, 35)]]


NEWS_ALPHABET = st.sampled_from(
    list("abcXYZ019 .,;:?!…\"'“”‘’()[]-–—•*\n\r\t\u00a0\u2029。é𝒳")
    + ["U.S.", "Dr. ", "\n\n", "1. "]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(NEWS_ALPHABET, max_size=80).map("".join))
def test_spans_are_valid_on_news_like_text(text):
    spans = split_sentences(text)
    assert_valid_spans(text, spans)
    missing = uncovered(text, spans)
    assert set(missing) <= BULLET_MARKER_CHARS
    assert not any(ch.isalpha() for ch in missing)


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_spans_are_valid_on_any_text(text):
    spans = split_sentences(text)
    assert_valid_spans(text, spans)
    assert not any(ch.isalpha() for ch in uncovered(text, spans))
    if text.strip():
        assert spans

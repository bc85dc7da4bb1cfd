"""The classifier's shortcuts give the answers of the long way round.

The theme classifier searches each pattern only in the criteria that hold one of the
pattern's required literal words (`eligibility.build.literals`), and classifies a
large input in parts side by side. Both are shortcuts: these tests check that the
words really are required, on every pattern of the shipped rules against real
criteria, and that classifying in parts gives the rows of classifying at once.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from eligibility.build import themes
from eligibility.build.literals import required_literals
from eligibility.build.themes import _routed_patterns, classify_frame, default_rules

DATA = Path(__file__).parent / "data"


def _labelled_texts() -> list[str]:
    texts = []
    for name in ("themes_sample.jsonl", "themes_holdout.jsonl"):
        with (DATA / name).open(encoding="utf-8") as handle:
            texts += [json.loads(line)["text"] for line in handle if line.strip()]
    return texts


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"chemo\w*|radiotherap\w*", {"chemo", "radiotherap"}),
        # An optional part is not required; the longest run that is, is taken.
        (r"h(?:a)?emoglobin", {"emoglobin"}),
        (r"(?:cortico)?steroids?", {"steroid"}),
        # A concatenation needs only its most selective part.
        (r"(?:earlier|recent)\s+(?:\w+\s+){0,4}?(?:drugs?|agents?)", {"earlier", "recent"}),
        (r"\w{3,}(?:mab|tinib)", {"mab", "tinib"}),
        # Case is folded: the patterns are matched case-insensitively.
        (r"(?-i:CAD|AF)", {"cad", "af"}),
        # Punctuation is part of a word: no edit of a text before a search makes one.
        (r"g\.i\.|i\.q\.?", {"g.i.", "i.q"}),
        (r"t\(\d+;\d+\)", {"t("}),
    ],
)
def test_required_literals_are_the_words_no_match_lacks(pattern: str, words: set[str]) -> None:
    assert required_literals(pattern) == words


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?:cortico)?",  # may match nothing at all
        r"heart|[<>]",  # one alternative has no word
        r"g[- ]?i",  # only one-letter words, which every criterion has
        r"a\>b",  # \> is a word boundary to Rust's regex crate, not a character
        r"i{1,3}v?",
        r"unclosed (group",  # not a pattern: searched everywhere rather than never
    ],
)
def test_a_pattern_without_required_words_is_searched_in_every_criterion(pattern: str) -> None:
    assert required_literals(pattern) is None


def test_every_shipped_pattern_that_matches_a_real_criterion_finds_one_of_its_words_there() -> None:
    # The routing is only a shortcut if no match lacks the words: checked on every
    # cue group, ignore entry and qualifier of the shipped rules, on the 580 real criteria of our labelled sets.
    texts = _labelled_texts()
    checked = 0
    for pattern in _routed_patterns(default_rules()):
        words = required_literals(pattern)
        if words is None:
            continue
        compiled = re.compile(pattern, re.IGNORECASE)
        for text in texts:
            if compiled.search(text):
                checked += 1
                assert any(word in text.lower() for word in words), (pattern[:60], text)
    assert checked > 1_000


def test_classifying_in_parts_gives_the_rows_of_classifying_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _labelled_texts()
    items = pl.DataFrame({"criterion_id": range(len(texts)), "text": texts})
    whole = classify_frame(items)
    monkeypatch.setattr(themes, "_ROWS_PER_PART", 100)
    monkeypatch.setattr(pl, "thread_pool_size", lambda: 4)
    assert classify_frame(items).equals(whole)


def test_routing_changes_no_row_on_real_criteria(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every pattern searched in every criterion (no words required) is the long way round.
    texts = _labelled_texts()
    items = pl.DataFrame({"criterion_id": range(len(texts)), "text": texts})
    routed = classify_frame(items)
    monkeypatch.setattr(themes, "required_literals", lambda pattern: None)
    assert classify_frame(items).equals(routed)


def test_a_parent_searched_as_an_item_passes_down_what_searching_it_again_would() -> None:
    # A parent's text that is also an item of the batch is not searched again for its
    # children: they take the themes its own search found without the drug lexicon. Items
    # under every labelled text, with and without those texts in the batch, get the same rows.
    texts = [*_labelled_texts(), "Foscarnet.", "Prior treatment with foscarnet."]
    children = pl.DataFrame(
        {"criterion_id": range(len(texts)), "text": "Item of the list.", "parent_text": texts},
        schema={"criterion_id": pl.Int64, "text": pl.Utf8, "parent_text": pl.Utf8},
    )
    parents = pl.DataFrame({"criterion_id": range(-len(texts), 0), "text": texts, "parent_text": ""})
    alone = classify_frame(children)
    with_parents = classify_frame(pl.concat([parents, children], how="vertical_relaxed"))
    assert with_parents.filter(pl.col("criterion_id") >= 0).equals(alone)
    # "Foscarnet." is a drug only to the lexicon, which a child does not inherit from.
    assert alone.filter(pl.col("criterion_id") == len(texts) - 2)["theme"].to_list() == ["other"]
    assert alone["theme"].n_unique() > 10


def test_only_the_kelvin_sign_and_the_long_s_fold_to_ascii_and_routing_folds_them() -> None:
    # Text outside ASCII is routed by the same words: the only letters outside ASCII that
    # match an ASCII letter or digit case-insensitively are the Kelvin sign and the long s.
    others = pl.Series([chr(code) for code in range(128, 0x110000) if not 0xD800 <= code <= 0xDFFF])
    folding = others.filter(others.str.contains("(?i)^[a-z0-9]$")).to_list()
    assert folding == ["\u017f", "\u212a"]
    texts = pl.DataFrame(
        {"_row": [0, 1, 2], "text": ["\u017feizure", "\u212aidney", "seizure"]}, schema={"_row": pl.UInt32, "text": pl.Utf8}
    )
    routes = themes._Routes(texts, "text", ("seizures?", "kidneys?"))
    assert sorted(routes.rows("seizures?").to_list()) == [0, 2]
    assert routes.rows("kidneys?").to_list() == [1]


def test_routing_changes_no_row_on_text_outside_ascii(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _labelled_texts()
    odd = [text.replace("s", "\u017f").replace("k", "\u212a") for text in texts] + [f"{text} \u2265 é" for text in texts]
    items = pl.DataFrame({"criterion_id": range(len(odd)), "text": odd})
    routed = classify_frame(items)
    monkeypatch.setattr(themes, "required_literals", lambda pattern: None)
    assert classify_frame(items).equals(routed)
    assert routed.filter(pl.col("criterion_id") < len(texts))["theme"].n_unique() > 10


def test_top_level_alternatives_leave_groups_classes_and_escapes_whole() -> None:
    pattern = r"a\|b|(?:c|d)e|[|\]]x|[^]|]y|f"
    assert themes._top_level_alternatives(pattern) == [r"a\|b", "(?:c|d)e", r"[|\]]x", "[^]|]y", "f"]
    assert "|".join(themes._top_level_alternatives(pattern)) == pattern


def test_a_long_cue_group_searched_in_chunks_finds_what_the_whole_group_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    # Cut into one-alternative chunks, every text where several chunks match puts the leftmost match first,
    # and at one position the alternative written first, as the whole group's regex does.
    group = r"chemo\w*|radio\w*|steroid\w*|(?:prior|previous) surgery|surg\w*|anti-?\w+ drugs?"
    texts = [
        "Prior surgery, chemotherapy or radiotherapy",  # "prior surgery" starts first
        "radiotherapy before chemotherapy",  # the later chunk starts first
        "surgery only",  # one chunk
        "steroids; anti-TNF drugs",
        "none of them",
        "Steroid-dependent asthma, chemo-naive",
        "previous surgery",  # "(?:prior|previous) surgery" and "surg\w*" would start on one word
    ]
    frame = pl.DataFrame({"_row": range(len(texts)), "text": texts}, schema={"_row": pl.UInt32, "text": pl.Utf8})
    whole = frame.select(pl.col("text").str.extract(themes._word_pattern(group), 1))["text"].to_list()
    monkeypatch.setattr(themes, "_CHUNK_CHARS", 10)
    chunks = themes._group_chunks(group)
    assert len(chunks) == 6 and "|".join(chunks) == group
    found = themes._search_leftmost(frame, None, chunks, "text", "cue")
    assert found.columns == ["_row", "text", "cue"]
    assert found["cue"].to_list() == whole
    assert whole[:3] == ["Prior surgery", "radiotherapy", "surgery"]


def test_searching_long_groups_in_chunks_changes_no_row_on_real_criteria(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _labelled_texts()
    items = pl.DataFrame({"criterion_id": range(len(texts)), "text": texts})
    rules = default_rules()
    assert any(len(themes._group_chunks(group)) > 1 for rule in rules.themes for group in themes._cue_groups(rule.cues))
    chunked = classify_frame(items, rules=rules)
    monkeypatch.setattr(themes, "_CHUNK_CHARS", 10**6)
    themes._routed_patterns.cache_clear()
    try:
        assert classify_frame(items, rules=rules).equals(chunked)
    finally:
        themes._routed_patterns.cache_clear()

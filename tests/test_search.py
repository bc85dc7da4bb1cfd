"""Criteria search is literal: quotes, wildcards, regex characters and SQL fragments are text, and the
word index answers exactly what a scan of the whole text answers."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import duckdb
import pytest

from eligibility.build import SEARCH_WORD_PATTERN
from eligibility.build.ingest import SQL_DIR
from eligibility.explore.filters import Filters
from eligibility.explore.queries import catalog_cursor, connect, load_sql, run, search_plan
from tests.conftest import sql


@pytest.fixture(scope="module")
def demo_con(demo_db) -> Iterator[duckdb.DuckDBPyConnection]:
    """One connection to the demo for the module's questions (it never changes)."""
    con = connect(demo_db[0])
    yield con
    con.close()


@pytest.fixture(scope="module")
def criteria_texts(demo_con) -> list[tuple[str, str]]:
    """Every criterion of the demo as (nct_id, lower-case text), read once for every needle."""
    return demo_con.execute("select nct_id, lower(text) from criteria").fetchall()


@pytest.mark.parametrize(
    "needle",
    ["'", '"', "%", "_", "50%", "(", "[a-z]+", ".*", "\\", "'; drop table studies; --", "' or '1'='1", "≥", "μl"],
)
def test_criteria_search_is_literal(demo_db, demo_con, criteria_texts: list[tuple[str, str]], needle: str) -> None:
    found = set(run(demo_con, "matching_studies", **Filters(search=needle).params())["nct_id"].to_list())
    expected = {nct for nct, text in criteria_texts if needle.lower() in text}
    assert found == expected
    assert sql(demo_db[0], "select count(*) from studies")[0][0] > 7000  # nothing was dropped from the file


def _scan(cursor: duckdb.DuckDBPyConnection, needle: str) -> set[int]:
    rows = cursor.execute("select study_no from studies where contains(search_text, $s)", {"s": needle}).fetchall()
    return {no for (no,) in rows}


def _indexed(cursor: duckdb.DuckDBPyConnection, needle: str) -> tuple[str, set[int]]:
    kind, query, params = search_plan(cursor, needle)
    return kind, {no for (no,) in cursor.execute(query, params).fetchall()}


@pytest.fixture(scope="module")
def demo_cursor(demo_con) -> Iterator[duckdb.DuckDBPyConnection]:
    with catalog_cursor(demo_con) as cursor:
        yield cursor


@pytest.mark.parametrize(
    ("needle", "kind"),
    [
        ("pregnan", "index"),  # inside a word, at its start
        ("regnan", "index"),  # inside a word
        ("hiv", "index"),
        ("18", "index"),
        ("hepatitis b", "index"),  # the end of one word, a separator, the start of the next
        ("brain metast", "index"),
        ("b-cell", "index"),
        (" b ", "index"),  # a whole word between separators
        ("-b", "index"),  # a word that must start a word of the text
        ("b-", "index"),  # a word that must end one
        ("x 10^9/l", "index"),
        ("(uln", "index"),
        ("uln)", "index"),
        ("≥ 18", "index"),
        ("50%", "index"),
        ("naïve", "index"),  # letters beyond ASCII are letters
        ("μl", "index"),
        ("hepatitis b surface antigen", "index"),  # four words on consecutive words of one text
        ("surface hepatitis", "index"),  # both words in many studies, never in this order
        ("of the", "index"),  # common words, but far fewer rows than the limit on this demo
        ("≥", "text"),  # no letter or digit: the text is scanned
        ("'; --", "text"),
        ("zzzqqq", "index"),  # in no study
        ("brain zzzqqq", "index"),
    ],
)
def test_the_word_index_finds_what_a_scan_of_the_text_finds(demo_cursor, needle: str, kind: str) -> None:
    found_kind, found = _indexed(demo_cursor, needle)
    assert found_kind == kind
    assert found == _scan(demo_cursor, needle)


def test_a_search_whose_words_are_everywhere_scans_the_text(demo_cursor, monkeypatch) -> None:
    from eligibility.explore import queries

    assert _indexed(demo_cursor, "of the")[0] == "index"
    (rows,) = demo_cursor.execute(load_sql("search_estimate"), {"search": "of the", "pattern": SEARCH_WORD_PATTERN}).fetchone()
    (of,) = demo_cursor.execute("select sum(occurrences) from search_words where ends_with(word, 'of')").fetchone()
    assert rows == of  # one check, on the words ending in "of" (its rows name the next word, to start with "the")
    monkeypatch.setattr(queries, "SEARCH_INDEX_ROWS", rows - 1)
    kind, found = _indexed(demo_cursor, "of the")
    assert kind == "text"
    assert found == _scan(demo_cursor, "of the")


def test_the_word_index_agrees_with_a_scan_on_random_pieces_of_criteria_text(demo_cursor) -> None:
    """Pieces cut anywhere in the text (mid-word, across punctuation, line breaks and symbols)."""
    texts = [t for (t,) in demo_cursor.execute("select search_text from studies where strlen(search_text) > 60").fetchall()]
    rng = random.Random(20261203)
    kinds: set[str] = set()
    for _ in range(60):
        text = rng.choice(texts)
        start = rng.randrange(len(text) - 30)
        needle = text[start : start + rng.randrange(1, 30)]
        kind, found = _indexed(demo_cursor, needle)
        kinds.add(kind)
        assert found == _scan(demo_cursor, needle), needle
        assert found, needle  # cut from a study's text: that study at least holds it
    assert "index" in kinds


def test_the_index_is_built_with_the_pattern_the_search_cuts_with(demo_cursor) -> None:
    finalise = (SQL_DIR / "finalise.sql").read_text()
    assert f"regexp_extract_all(search_text, '{SEARCH_WORD_PATTERN}')" in finalise
    words = [w for (w,) in demo_cursor.execute("select word from search_words order by word_id").fetchall()]
    assert len(words) > 10_000
    assert all(re.fullmatch(r"[^\W_]+", w) for w in words)  # letters and digits only, as Python reads them too
    assert words == sorted(words, key=lambda w: w.encode())  # numbered in byte order: a prefix's words are consecutive
    separators = [s for (s,) in demo_cursor.execute("select separator from search_separators").fetchall()]
    assert "" in separators and " " in separators
    assert not any(re.search(r"[^\W_]", s) for s in separators)


def test_the_occurrences_spell_out_each_study_text(demo_cursor) -> None:
    """Lead, then word and separator after it, in position order, give back the text: nothing is lost."""
    rows = demo_cursor.execute(
        """
        with o as (
            select o.study_no, o.position, w.word, b.separator as before, a.separator as after
            from search_occurrences as o
            join search_words as w using (word_id)
            join search_separators as b on b.separator_id = o.before_id
            join search_separators as a on a.separator_id = o.after_id
        )
        select s.search_text, string_agg(if(o.position = 1, o.before, '') || o.word || o.after, '' order by o.position)
        from studies as s join o using (study_no)
        where s.study_no % 50 = 0
        group by s.study_no, s.search_text
        """
    ).fetchall()
    assert len(rows) > 100
    assert all(text == spelled for text, spelled in rows)

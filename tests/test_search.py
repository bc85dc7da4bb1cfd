"""Criteria search is literal: quotes, wildcards, regex characters and SQL fragments are text."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from eligibility.explore.filters import Filters
from eligibility.explore.queries import connect, run
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


def test_the_background_read_of_the_search_text_waits_for_a_page_being_drawn(fixture_db, monkeypatch) -> None:
    from eligibility.explore import queries
    from eligibility.explore.queries import foreground, warm_search_text

    monkeypatch.setattr(queries, "IDLE_SECONDS", 0.2)  # how long after a page the warm-up starts
    con = connect(fixture_db[0])
    try:
        with foreground():  # a page is being drawn: the warm-up must not read a single part
            thread = warm_search_text(con)
            thread.join(timeout=1.0)
            assert thread.is_alive()
        thread.join(timeout=60)
        assert not thread.is_alive()  # read everything once the page was done
        found = run(con, "headline_counts", **Filters(search="pregnan").params())["trials"][0]
        assert found == sql(con, "select count(*) from studies where contains(search_text, 'pregnan')")[0][0] > 0
    finally:
        con.close()


def test_a_connection_closed_under_the_background_read_ends_it_quietly(fixture_db) -> None:
    from eligibility.explore.queries import foreground, warm_search_text

    con = connect(fixture_db[0])
    with foreground():
        thread = warm_search_text(con)
        con.close()
    thread.join(timeout=60)
    assert not thread.is_alive()

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

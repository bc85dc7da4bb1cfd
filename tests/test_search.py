"""Criteria search is literal: quotes, wildcards, regex characters and SQL fragments are text."""

from __future__ import annotations

import pytest

from eligibility.explore.filters import Filters
from eligibility.explore.queries import connect, run
from tests.conftest import sql


@pytest.mark.parametrize(
    "needle",
    ["'", '"', "%", "_", "50%", "(", "[a-z]+", ".*", "\\", "'; drop table studies; --", "' or '1'='1", "≥", "μl"],
)
def test_criteria_search_is_literal(demo_db, needle: str) -> None:
    db, _ = demo_db
    con = connect(db)
    try:
        found = set(run(con, "matching_studies", **Filters(search=needle).params())["nct_id"].to_list())
        texts = con.execute("select nct_id, lower(text) from criteria").fetchall()
    finally:
        con.close()
    expected = {nct for nct, text in texts if needle.lower() in text}
    assert found == expected
    assert sql(db, "select count(*) from studies")[0][0] > 7000  # nothing was dropped

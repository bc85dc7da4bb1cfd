"""Concurrent sessions on one read-only connection get their own, correct results."""

from __future__ import annotations

import threading

from eligibility.explore.filters import Filters
from eligibility.explore.queries import connect, run

SESSION_FILTERS = [
    Filters(),
    Filters(preset="pediatric-b-all"),
    Filters(preset="aya-b-all", aya_min=18, aya_max=30),
    Filters(min_age=0, max_age=17),
    Filters(min_age=65, age_mode="covers"),
    Filters(sex="female_only"),
    Filters(sex="male", healthy_volunteers="yes"),
    Filters(healthy_volunteers="no", condition="diabetes"),
    Filters(search="hepatitis"),
    Filters(phases=("PHASE3",), statuses=("COMPLETED",)),
    Filters(study_types=("OBSERVATIONAL",), min_age=18, max_age=40),
    Filters(preset="b-all", search="cns"),
]


def test_concurrent_sessions_get_correct_isolated_results(demo_db) -> None:
    db, _ = demo_db
    con = connect(db)
    queries = ["headline_counts", "theme_distribution", "age_eligibility_curve", "breakdowns"]
    expected = {(i, q): run(con, q, **f.params()) for i, f in enumerate(SESSION_FILTERS) for q in queries}
    errors: list[BaseException] = []
    mismatches: list[tuple[int, str]] = []
    barrier = threading.Barrier(len(SESSION_FILTERS))

    def session(index: int, filters: Filters) -> None:
        try:
            barrier.wait()
            for _ in range(5):
                for q in queries:
                    if not run(con, q, **filters.params()).equals(expected[(index, q)]):
                        mismatches.append((index, q))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(i, f)) for i, f in enumerate(SESSION_FILTERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    con.close()
    assert not errors, errors
    assert not mismatches, mismatches
    distinct = {expected[(i, "headline_counts")]["trials"][0] for i in range(len(SESSION_FILTERS))}
    assert len(distinct) >= 8, "the sessions must really ask different questions"

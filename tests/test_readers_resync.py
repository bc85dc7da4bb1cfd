"""A damaged v2 JSON file loses only the studies the damage touches.

A bulk array (or API page) resynchronises at the next study object after damage
and reads on, reporting the skipped byte range; in JSON Lines a bad line costs
that line's record only. The bulk inputs are built here from the real demo
studies, repeated under new NCT IDs.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from eligibility.build.ingest import ingest
from eligibility.build.readers import v2_json
from eligibility.build.records import Problem, StudyRecord
from tests.conftest import DEMO, sql

N_STUDIES = 1_200
MODULES = ("identificationModule", "statusModule", "conditionsModule", "designModule", "eligibilityModule")


def _bulk_studies(n: int = N_STUDIES) -> list[dict]:
    """``n`` real demo studies (their protocol modules only, to keep the file small) under fresh NCT IDs."""
    real = json.loads((DEMO / "ctgov-v2" / "mixed-50-ctg-studies.json").read_text(encoding="utf-8"))
    studies = []
    for i in range(n):
        protocol = real[i % len(real)]["protocolSection"]
        study = {"protocolSection": {m: copy.deepcopy(protocol[m]) for m in MODULES if m in protocol}}
        study["protocolSection"]["identificationModule"]["nctId"] = f"NCT9{i:07d}"
        studies.append(study)
    return studies


def _array(studies: list[dict], *, indent: int | None) -> tuple[str, list[tuple[int, int]]]:
    """The array's text and each study's (start, end) character span in it."""
    pieces = [json.dumps(s, indent=indent, ensure_ascii=False) for s in studies]
    sep = ",\n" if indent else ","
    spans, pos = [], 1
    for piece in pieces:
        spans.append((pos, pos + len(piece)))
        pos += len(piece) + len(sep)
    return "[" + sep.join(pieces) + "]", spans


def _read(text: str) -> tuple[list[str], list[Problem]]:
    out = list(v2_json.read("bulk.json", text))
    ids = [r.nct_id for r in out if isinstance(r, StudyRecord)]
    return ids, [p for p in out if isinstance(p, Problem) and p.kind == "rejected"]


KEY = '"eligibilityModule"'


def _cut(text: str, start: int, end: int) -> str:
    """Delete from just after an eligibility key at or after ``start`` to the same key at or after ``end``.

    The seam (a key followed by a key) can never decode, so the damage is certain;
    a cut at arbitrary points may leave valid JSON that splices two studies.
    """
    return text[: text.index(KEY, start) + len(KEY)] + text[text.index(KEY, end) :]


def _bytes(text: str, pos: int) -> int:
    """The byte offset in the UTF-8 file of character ``pos`` (the demo text is not all ASCII)."""
    return len(text[:pos].encode("utf-8"))


def _ids(indices: range | list[int]) -> list[str]:
    return [f"NCT9{i:07d}" for i in indices]


@pytest.mark.parametrize("indent", [None, 2], ids=["minified", "pretty"])
@pytest.mark.parametrize(
    ("first", "last"),
    [(0, 0), (0, 2), (500, 500), (600, 603), (N_STUDIES - 2, N_STUDIES - 2)],
    ids=["start-one", "start-three", "middle-one", "middle-four", "end-one"],
)
def test_a_cut_inside_a_bulk_array_loses_only_the_studies_it_touches(indent: int | None, first: int, last: int) -> None:
    text, spans = _array(_bulk_studies(), indent=indent)
    if first == last:
        # Corrupt one study in the middle (a quote lost) rather than cut it.
        mid = text.index('"eligibilityModule"', spans[first][0])
        damaged = text[:mid] + text[mid + 1 :]
    else:
        damaged = _cut(text, spans[first][0], spans[last][0])

    ids, problems = _read(damaged)

    assert ids == _ids([i for i in range(N_STUDIES) if not first <= i <= last])
    assert len(problems) == 1
    assert problems[0].record == f"[{first}]"
    assert problems[0].reason.startswith("invalid JSON")
    assert f"bytes {_bytes(text, spans[first][0])}-" in problems[0].reason
    assert "reading resumed at the next study" in problems[0].reason


@pytest.mark.parametrize("indent", [None, 2], ids=["minified", "pretty"])
def test_a_bulk_array_cut_off_at_the_end_keeps_every_whole_study(indent: int | None) -> None:
    text, spans = _array(_bulk_studies(), indent=indent)
    end = spans[-1][0] + 100

    ids, problems = _read(text[:end])

    assert ids == _ids(range(N_STUDIES - 1))
    assert [(p.record, p.reason.endswith("the file's studies from here on could not be read")) for p in problems] == [
        (f"[{N_STUDIES - 1}]", True)
    ]
    assert f"bytes {_bytes(text, spans[-1][0])}-{_bytes(text, end)}:" in problems[0].reason


def test_damage_in_several_places_and_a_missing_comma() -> None:
    text, spans = _array(_bulk_studies(), indent=None)
    # Work from the end so that earlier spans stay valid.
    damaged = text[: spans[900][1]] + text[spans[900][1] + 1 :]  # the comma after study 900
    damaged = _cut(damaged, spans[400][0], spans[401][0])
    damaged = damaged[: spans[3][0]] + "garbage" + damaged[spans[3][0] :]

    ids, problems = _read(damaged)

    assert ids == _ids([i for i in range(N_STUDIES) if i not in (400, 401)])
    assert len(problems) == 3
    assert all("reading resumed at the next study" in p.reason for p in problems)


def test_an_api_page_resynchronises_too() -> None:
    page = json.loads((DEMO / "ctgov-v2" / "api-page-studies.json").read_text(encoding="utf-8"))
    nct_ids = [s["protocolSection"]["identificationModule"]["nctId"] for s in page["studies"]]
    text = json.dumps(page, indent=2)
    second = text.index('"protocolSection"', text.index('"protocolSection"') + 1)
    damaged = _cut(text, second, text.index('"protocolSection"', second + 1))

    ids, problems = _read(damaged)

    assert len(nct_ids) > 3
    assert ids == [nct_ids[0], *nct_ids[3:]]
    assert [p.record for p in problems] == ["studies[1]"]


def test_ingest_reports_the_damaged_range_with_file_and_byte_offset(tmp_path: Path) -> None:
    # Through the whole ingest, so 60 studies do (the reader's own tests above read 1,200): the
    # 50 before the damage hold every real study at least once, with their non-ASCII text.
    n = 60
    text, spans = _array(_bulk_studies(n), indent=2)
    assert _bytes(text, spans[50][0]) > spans[50][0], "non-ASCII text before the damage"
    path = tmp_path / "bulk.json"
    path.write_text(_cut(text, spans[50][0], spans[52][0]), encoding="utf-8")

    summary = ingest([path], tmp_path / "t.duckdb", workers=1)

    assert summary.studies_loaded == n - 3
    assert sql(tmp_path / "t.duckdb", "select count(*) from studies where nct_id in ('NCT90000049', 'NCT90000053')") == [(2,)]
    rows = sql(tmp_path / "t.duckdb", "select file, record, reason from ingest_issues where kind = 'rejected'")
    assert len(rows) == 1
    file, record, reason = rows[0]
    assert (file, record) == (str(path), "[50]")
    match = re.search(r"bytes (\d+)-(\d+) could not be read", reason)
    assert match is not None, reason
    # Offsets are bytes of the file (the demo text holds non-ASCII characters), not characters.
    data = path.read_bytes()
    assert data[int(match.group(1)) :].startswith(b"{")
    assert data[int(match.group(2)) :].startswith(b'{\n  "protocolSection"')


@pytest.mark.parametrize("bad", [0, 500, N_STUDIES - 1], ids=["start", "middle", "end"])
def test_a_bad_json_line_costs_one_record_only(bad: int) -> None:
    lines = [json.dumps(s, ensure_ascii=False) for s in _bulk_studies()]
    lines[bad] = lines[bad][: len(lines[bad]) // 2]

    out = list(v2_json.read("bulk.jsonl", "\n".join(lines) + "\n"))

    ids = [r.nct_id for r in out if isinstance(r, StudyRecord)]
    assert ids == _ids([i for i in range(N_STUDIES) if i != bad])
    problems = [p for p in out if isinstance(p, Problem) and p.kind == "rejected"]
    assert [p.record for p in problems] == [f"line {bad + 1}"]


def test_json_lines_with_several_bad_lines_and_a_truncated_tail() -> None:
    lines = [json.dumps(s, ensure_ascii=False) for s in _bulk_studies(1_000)]
    lines[10] = "not json"
    lines[11] = "{" + lines[11]
    lines[999] = lines[999][:50]

    ids, problems = _read("\n".join(lines))

    assert ids == _ids([i for i in range(1_000) if i not in (10, 11, 999)])
    assert [p.record for p in problems] == ["line 11", "line 12", "line 1000"]


def test_a_file_of_nested_study_openings_is_given_up_on_not_reread() -> None:
    # Each opening is a candidate for resynchronising; none decodes. The search gives up
    # after reading a few times the file's length and reports the rest as lost.
    ids, problems = _read("[" + '{"protocolSection": ' * 20_000 + "1")
    assert ids == []
    assert [p.record for p in problems] == ["[0]"]
    assert problems[0].reason.endswith("the file's studies from here on could not be read")

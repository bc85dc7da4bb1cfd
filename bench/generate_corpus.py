"""Generate a registry-sized benchmark corpus in the ClinicalTrials.gov bulk-download layout.

The output is a zip with one API v2 JSON study per entry (``NCT90000000.json``,
...), like the registry's "download all studies" archive. Every study is a real
study from ``data/demo`` (v2 JSON, or classic XML converted to the v2 shape)
with a new NCT ID and small, seeded perturbations: ages, sex, conditions, the
order of the criteria bullets and the last-update date. Record sizes and text
are therefore realistic, and the same ``--seed`` gives the same studies.

    python bench/generate_corpus.py            # 550,000 studies
    python bench/generate_corpus.py --quick    # 50,000 studies

Not part of the test suite; the output goes to bench/out/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eligibility.build.normalise import derive_std_ages

Study = dict[str, Any]

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
DEFAULT_DEMO = REPO_DIR / "data" / "demo"
FULL_N = 550_000
QUICK_N = 50_000

# Real NCT IDs are allocated in order and are still below NCT08000000, so a
# block from NCT90000000 up can never collide with a template's own ID.
FIRST_ID = 90_000_000
LAST_ID = 99_999_999

# Fixed bounds (not "today") so that a seed gives the same corpus on any day.
FIRST_UPDATE = date(2000, 1, 1).toordinal()
LAST_UPDATE = date(2026, 10, 31).toordinal()

# A fixed entry timestamp keeps the zip byte-for-byte reproducible too.
ZIP_TIMESTAMP = (2026, 1, 1, 0, 0, 0)
PROGRESS_EVERY = 50_000

# Perturbation rates: most studies stay close to their template, as re-posted
# registry records do; enough change that rows are not exact duplicates.
P_AGE_SHIFT = 0.30  # per bound
P_AGE_DROP = 0.04  # one bound removed (no limit)
P_SEX_RESAMPLE = 0.05
P_CONDITION_DROP = 0.10
P_CONDITION_ADD = 0.10
P_CRITERIA_SHUFFLE = 0.30

NCT_RE = re.compile(r"NCT\d{8}\Z")
AGE_RE = re.compile(r"\s*(\d+)\s+(Year|Month|Week|Day|Hour|Minute)s?\s*\Z", re.IGNORECASE)
# Bullets as the registry writes them: markdown "* " (v2), "-  " (classic XML
# textblocks) and numbered "1." / "1)" items.
BULLET_RE = re.compile(r"[ \t]*(?:[*\-+•]|\d{1,3}[.)])[ \t]+\S")
NUMBER_RE = re.compile(r"([ \t]*)(\d{1,3})([.)])")

UNIT_DAYS = {"year": 365.25, "month": 365.25 / 12, "week": 7.0, "day": 1.0, "hour": 1 / 24, "minute": 1 / 1440}
SEXES = ("ALL", "FEMALE", "MALE")


# --------------------------------------------------------------------------- templates


def _valid_study(study: Any) -> bool:
    if not isinstance(study, dict) or not isinstance(study.get("protocolSection"), dict):
        return False
    ident = study["protocolSection"].get("identificationModule")
    return isinstance(ident, dict) and isinstance(ident.get("nctId"), str) and bool(NCT_RE.match(ident["nctId"]))


def _studies_in_json(document: Any) -> list[Any]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and isinstance(document.get("studies"), list):
        return document["studies"]
    return [document]


def load_v2(demo: Path) -> Iterator[Study]:
    v2 = demo / "ctgov-v2"
    for path in sorted(v2.glob("*.json")) + sorted((v2 / "single").glob("*.json")):
        yield from _studies_in_json(json.loads(path.read_text(encoding="utf-8")))
    for path in sorted(v2.glob("*.zip")):
        with zipfile.ZipFile(path) as archive:
            for name in sorted(archive.namelist()):
                if name.endswith(".json") and not name.startswith("__MACOSX/"):
                    yield from _studies_in_json(json.loads(archive.read(name)))


def _xml_text(node: ET.Element, path: str) -> str | None:
    found = node.find(path)
    if found is None or found.text is None or not found.text.strip():
        return None
    return found.text.strip()


def _textblock(node: ET.Element, path: str) -> str | None:
    found = node.find(path)
    if found is None or found.text is None or not found.text.strip():
        return None
    # Textblocks carry CRLF line ends and the XML's own indentation; the v2 API
    # serves plain LF text, so normalise both the way the registry's export does.
    text = found.text.replace("\r\n", "\n").replace("\r", "\n")
    return textwrap.dedent(text).strip("\n").rstrip()


def _xml_date(text: str | None) -> str | None:
    """Classic dates to ISO: "June 24, 2005" -> "2005-06-24"; "June 2005" -> "2005-06" (month precision)."""
    if not text:
        return None
    for fmt, out in (("%B %d, %Y", "%Y-%m-%d"), ("%B %Y", "%Y-%m")):
        try:
            return datetime.strptime(text, fmt).strftime(out)
        except ValueError:
            continue
    return None


def _v2_enum(text: str) -> str:
    """Classic spelling to the v2 enum: "Active, not recruiting" -> "ACTIVE_NOT_RECRUITING"."""
    return re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")


def _phases(text: str | None) -> list[str] | None:
    if text is None:
        return None
    phases = []
    for part in text.split("/"):
        part = part.strip()
        if part.upper() == "N/A" or not part:
            return ["NA"]
        # "Early Phase 1" -> EARLY_PHASE1, "Phase 2" -> PHASE2
        phases.append(part.upper().replace("EARLY PHASE ", "EARLY_PHASE").replace("PHASE ", "PHASE"))
    return phases


def xml_to_v2(root: ET.Element) -> Study | None:
    """Convert one classic <clinical_study> to the v2 modules ingest reads (v2 key order)."""
    nct_id = _xml_text(root, "id_info/nct_id")
    if nct_id is None or not NCT_RE.match(nct_id):
        return None
    ident: Study = {"nctId": nct_id}
    if (title := _xml_text(root, "brief_title")) is not None:
        ident["briefTitle"] = title
    if (official := _xml_text(root, "official_title")) is not None:
        ident["officialTitle"] = official

    status: Study = {}
    if (overall := _xml_text(root, "overall_status")) is not None:
        status["overallStatus"] = "UNKNOWN" if overall == "Unknown status" else _v2_enum(overall)
    posted = root.find("last_update_posted")
    if posted is not None and (iso := _xml_date(_xml_text(root, "last_update_posted"))) is not None:
        kind = posted.get("type")
        status["lastUpdatePostDateStruct"] = {"date": iso} | (
            {"type": "ESTIMATED" if kind == "Estimate" else "ACTUAL"} if kind else {}
        )

    protocol: Study = {"identificationModule": ident, "statusModule": status}
    if (summary := _textblock(root, "brief_summary/textblock")) is not None:
        protocol["descriptionModule"] = {"briefSummary": summary}

    conditions: Study = {"conditions": [c.text.strip() for c in root.findall("condition") if c.text and c.text.strip()]}
    keywords = [k.text.strip() for k in root.findall("keyword") if k.text and k.text.strip()]
    if keywords:
        conditions["keywords"] = keywords
    protocol["conditionsModule"] = conditions

    design: Study = {}
    study_type = _xml_text(root, "study_type")
    if study_type is not None and study_type != "N/A":
        # "Observational [Patient Registry]" is OBSERVATIONAL in v2 (with a registry flag).
        design["studyType"] = _v2_enum(study_type.split("[")[0])
    if (phases := _phases(_xml_text(root, "phase"))) is not None:
        design["phases"] = phases
    protocol["designModule"] = design

    elig: Study = {}
    if (criteria := _textblock(root, "eligibility/criteria/textblock")) is not None:
        elig["eligibilityCriteria"] = criteria
    healthy = _xml_text(root, "eligibility/healthy_volunteers")
    if healthy is not None:
        elig["healthyVolunteers"] = healthy != "No"
    gender = _xml_text(root, "eligibility/gender")
    if gender is not None:
        elig["sex"] = "ALL" if gender in ("All", "Both") else gender.upper()
    for tag, key in (("minimum_age", "minimumAge"), ("maximum_age", "maximumAge")):
        age = _xml_text(root, f"eligibility/{tag}")
        if age is not None and age != "N/A":
            elig[key] = age
    protocol["eligibilityModule"] = elig
    return {"protocolSection": protocol, "hasResults": root.find("clinical_results") is not None}


def load_xml(demo: Path) -> Iterator[Study]:
    for path in sorted((demo / "ctgov-classic-xml").glob("*.zip")):
        with zipfile.ZipFile(path) as archive:
            for name in sorted(archive.namelist()):
                # __MACOSX/ holds binary AppleDouble twins, not XML.
                if not name.endswith(".xml") or "__MACOSX/" in name or name.rsplit("/", 1)[-1].startswith("._"):
                    continue
                # Trusted local files shipped with the repo, so the stdlib parser is fine here.
                study = xml_to_v2(ET.fromstring(archive.read(name)))
                if study is not None:
                    yield study


def load_templates(demo: Path) -> list[Study]:
    """Every distinct real study once; v2 first so it wins over the poorer XML copy of a study."""
    templates: dict[str, Study] = {}
    for study in (*load_v2(demo), *load_xml(demo)):
        if _valid_study(study):
            templates.setdefault(study["protocolSection"]["identificationModule"]["nctId"], study)
    return list(templates.values())


# --------------------------------------------------------------------------- perturbations


def _parse_age(value: Any) -> tuple[int, str] | None:
    match = AGE_RE.match(value) if isinstance(value, str) else None
    return (int(match[1]), match[2].capitalize()) if match else None


def _format_age(number: int, unit: str) -> str:
    # The registry's spelling: "1 Year", "0 Years", "6 Months".
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


def _age_days(age: tuple[int, str] | None) -> float | None:
    return None if age is None else age[0] * UNIT_DAYS[age[1].lower()]


def _shift(age: tuple[int, str], rng: random.Random) -> tuple[int, str]:
    number, unit = age
    if unit == "Year" and number >= 90:
        # 99, 100 and 120 Years are registry stand-ins for "no limit"; moving
        # them makes implausible ages (ingest warns over 130 years).
        return age
    # Proportional steps: 18 Years moves by a year, 65 Years by up to six.
    spread = max(1, number // 10)
    return max(0, number + rng.randint(-spread, spread)), unit


def _std_ages(minimum: tuple[int, str] | None, maximum: tuple[int, str] | None) -> list[str]:
    """The registry's derived age groups, as ingest derives them."""
    low, high = _age_days(minimum), _age_days(maximum)
    return derive_std_ages(None if low is None else low / 365.25, None if high is None else high / 365.25)


def perturb_ages(elig: Study, rng: random.Random) -> bool:
    """Shift or drop age bounds in place on a copied module; True when anything changed."""
    old_min, old_max = _parse_age(elig.get("minimumAge")), _parse_age(elig.get("maximumAge"))
    new_min = _shift(old_min, rng) if old_min and rng.random() < P_AGE_SHIFT else old_min
    new_max = _shift(old_max, rng) if old_max and rng.random() < P_AGE_SHIFT else old_max
    low, high = _age_days(new_min), _age_days(new_max)
    if low is not None and high is not None and low > high:
        # A shift that crosses the bounds would make an impossible study; keep the template's.
        new_min, new_max = old_min, old_max
    if rng.random() < P_AGE_DROP:
        # The maximum is the bound registries leave open most often.
        if new_max is not None and (new_min is None or rng.random() < 0.75):
            new_max = None
        else:
            new_min = None
    changed = False
    for key, old, new in (("minimumAge", old_min, new_min), ("maximumAge", old_max, new_max)):
        if new != old:
            changed = True
            if new is None:
                del elig[key]
            else:
                elig[key] = _format_age(*new)
    if changed and "stdAges" in elig:
        elig["stdAges"] = _std_ages(new_min, new_max)
    return changed


def _shuffle_run(items: list[list[str]], rng: random.Random) -> list[str]:
    """Shuffle the items of one bullet list; blank-line spacing and numbering stay by position."""
    gaps = []
    for item in items:
        gap = 0
        while len(item) > 1 and not item[-1].strip():
            item.pop()
            gap += 1
        gaps.append(gap)
    numbers = [NUMBER_RE.match(item[0]) for item in items]
    rng.shuffle(items)
    if all(numbers):
        # "3. ... 1. ... 2." reads wrong; renumber from the list's first number.
        start = int(numbers[0][2])  # type: ignore[index]
        for offset, item in enumerate(items):
            match = NUMBER_RE.match(item[0])
            assert match is not None
            item[0] = f"{match[1]}{start + offset}{match[3]}{item[0][match.end() :]}"
    lines: list[str] = []
    for item, gap in zip(items, gaps, strict=True):
        lines.extend(item)
        lines.extend([""] * gap)
    return lines


def shuffle_criteria(text: str, rng: random.Random) -> str:
    """Shuffle bullets within each list, keeping headers ("Exclusion Criteria:") and prose in place.

    A list is a run of bullets at one indentation; more-indented lines (nested
    bullets, wrapped text) travel with their parent bullet; a less-indented
    non-bullet line (a header, a paragraph) ends the run, so inclusion and
    exclusion bullets never mix.
    """
    out: list[str] = []
    items: list[list[str]] = []
    base = 0
    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip(" \t"))
        if BULLET_RE.match(line):
            if items and indent < base:
                out.extend(_shuffle_run(items, rng))
                items = []
            if not items or indent == base:
                base = indent
                items.append([line])
            else:
                items[-1].append(line)
        elif not line.strip():
            (items[-1] if items else out).append(line)
        elif items and indent > base:
            items[-1].append(line)
        else:
            if items:
                out.extend(_shuffle_run(items, rng))
                items = []
            out.append(line)
    if items:
        out.extend(_shuffle_run(items, rng))
    return "\n".join(out)


def make_study(template: Study, nct_id: str, rng: random.Random, condition_pool: list[str]) -> Study:
    """A new study sharing the template's unchanged parts.

    Templates are never mutated: changed modules are shallow copies whose
    changed values are new objects, so the big untouched parts (results,
    locations, outcomes) are shared rather than deep-copied 550,000 times.
    """
    study = dict(template)
    protocol = dict(template["protocolSection"])
    study["protocolSection"] = protocol
    protocol["identificationModule"] = {**protocol["identificationModule"], "nctId": nct_id}

    status = dict(protocol.get("statusModule") or {})
    updated = date.fromordinal(rng.randint(FIRST_UPDATE, LAST_UPDATE)).isoformat()
    status["lastUpdatePostDateStruct"] = {**(status.get("lastUpdatePostDateStruct") or {}), "date": updated}
    protocol["statusModule"] = status

    if isinstance(protocol.get("eligibilityModule"), dict):
        elig = dict(protocol["eligibilityModule"])
        changed = perturb_ages(elig, rng)
        if elig.get("sex") in SEXES and rng.random() < P_SEX_RESAMPLE:
            elig["sex"] = rng.choice(SEXES)
            changed = True
        criteria = elig.get("eligibilityCriteria")
        if isinstance(criteria, str) and rng.random() < P_CRITERIA_SHUFFLE:
            elig["eligibilityCriteria"] = shuffle_criteria(criteria, rng)
            changed = True
        if changed:
            protocol["eligibilityModule"] = elig

    module = protocol.get("conditionsModule")
    conditions = list(module.get("conditions") or []) if isinstance(module, dict) else []
    changed = False
    if len(conditions) > 1 and rng.random() < P_CONDITION_DROP:
        del conditions[rng.randrange(len(conditions))]
        changed = True
    if condition_pool and rng.random() < P_CONDITION_ADD:
        borrowed = rng.choice(condition_pool)
        if borrowed not in conditions:
            conditions.append(borrowed)
            changed = True
    if changed:
        protocol["conditionsModule"] = {**(module if isinstance(module, dict) else {}), "conditions": conditions}
    return study


# --------------------------------------------------------------------------- output


def _mb(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"


def generate(n: int, out: Path, seed: int, demo: Path) -> None:
    started = time.perf_counter()
    templates = load_templates(demo)
    if not templates:
        raise SystemExit(f"no studies found under {demo}")
    pool = sorted({c for t in templates for c in (t["protocolSection"].get("conditionsModule") or {}).get("conditions") or []})
    print(f"loaded {len(templates):,} template studies from {demo} in {time.perf_counter() - started:.1f} s", flush=True)

    rng = random.Random(seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    # Same directory, so the final rename is atomic and a half-written zip never
    # carries the real name.
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    raw_bytes = 0
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for index in range(n):
                nct_id = f"NCT{FIRST_ID + index:08d}"
                study = make_study(templates[rng.randrange(len(templates))], nct_id, rng, pool)
                # UTF-8 as the registry serves it (ensure_ascii would inflate "≥" to "\u2265").
                data = json.dumps(study, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                raw_bytes += len(data)
                info = zipfile.ZipInfo(f"{nct_id}.json", date_time=ZIP_TIMESTAMP)
                info.external_attr = 0o644 << 16
                archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
                done = index + 1
                if done % PROGRESS_EVERY == 0 and done < n:
                    elapsed = time.perf_counter() - started
                    print(f"  {done:,} / {n:,} studies, {_mb(raw_bytes)} uncompressed, {elapsed:.1f} s", flush=True)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    elapsed = time.perf_counter() - started
    print(
        f"wrote {n:,} studies to {out}: zip {_mb(out.stat().st_size)}, uncompressed {_mb(raw_bytes)}, "
        f"mean study {raw_bytes / n:,.0f} bytes, {elapsed:.1f} s",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--n", type=int, default=FULL_N, help=f"number of studies (default {FULL_N:,})")
    size.add_argument("--quick", action="store_const", const=QUICK_N, dest="n", help=f"{QUICK_N:,} studies")
    parser.add_argument("--out", type=Path, help="output zip (default bench/out/registry-<n>.zip)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0); same seed, same corpus")
    parser.add_argument("--demo", type=Path, default=DEFAULT_DEMO, help="folder of real template studies (default data/demo)")
    args = parser.parse_args(argv)
    if not 1 <= args.n <= LAST_ID - FIRST_ID + 1:
        parser.error(f"--n must be between 1 and {LAST_ID - FIRST_ID + 1:,} (IDs NCT{FIRST_ID} up)")
    out = args.out or BENCH_DIR / "out" / f"registry-{args.n}.zip"
    generate(args.n, out, args.seed, args.demo)
    return 0


if __name__ == "__main__":
    sys.exit(main())

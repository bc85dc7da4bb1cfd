"""Structured thresholds: the numeric bounds a criterion puts on organ function,
performance status, life expectancy and age (see ``shared/thresholds.md``).

A *fact* is one eligible bound on one measure: ``bilirubin max 1.5 xULN``. The
extractor works in three readable steps on each criterion:

1. find the mentions of each measure (``_MEASURE_PATTERNS``), and of other lab
   values that end a mention's reach (``_STOP_WORDS``);
2. read the first value that follows a mention, within its clause: a comparator,
   a number or a range, and a unit (``_VALUE``), then a second comparison the
   other way ("age < 18 or > 75"); ages stated number-first ("18 years of age or
   older") are read by ``_AGE_FIRST`` and counts ("< 75,000 platelets/mm3") by
   ``_COUNT_FIRST``. Mentions that only condition another rule ("if creatinine >
   ULN, ..."), someone else's age, or a measure's look-alike (direct bilirubin,
   HbA1c, IIEF-EF) give nothing;
3. turn the comparison into the eligible bound (exclusions and "No ..." clauses
   turned around, whole-number scales rounded to the exact eligible value),
   convert to the measure's unit, and keep one bound per measure, bound and unit,
   preferring the general case over a qualified sub-group ("if liver metastases").

``extract_frame`` runs the same over a frame of criteria, sending only the items
that mention a measure and a number (a vectorised polars prefilter) to the
per-string parser.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from dataclasses import dataclass

import polars as pl

MEASURES = (
    "ecog",
    "karnofsky",
    "lansky",
    "life_expectancy",
    "bilirubin",
    "ast_alt",
    "creatinine",
    "creatinine_clearance",
    "lvef",
    "shortening_fraction",
    "anc",
    "platelets",
    "hemoglobin",
    "age",
)
# The bound a value with no comparison sign takes ("platelet count 30 x 10^9/L").
USUAL_BOUND = {
    "ecog": "max",
    "karnofsky": "min",
    "lansky": "min",
    "life_expectancy": "min",
    "bilirubin": "max",
    "ast_alt": "max",
    "creatinine": "max",
    "creatinine_clearance": "min",
    "lvef": "min",
    "shortening_fraction": "min",
    "anc": "min",
    "platelets": "min",
    "hemoglobin": "min",
}
# Whole-number scales: (step, lowest, highest). Their bound is the exact eligible value.
SCALES = {"ecog": (1, 0, 5), "karnofsky": (10, 0, 100), "lansky": (10, 0, 100)}
ULN_MEASURES = frozenset({"bilirubin", "ast_alt", "creatinine"})
COUNT_MEASURES = frozenset({"anc", "platelets"})
# Values outside these (in the fact's unit) are misreadings, never facts.
SANE = {
    ("ecog", "points"): (0, 5),
    ("karnofsky", "%"): (10, 100),
    ("lansky", "%"): (10, 100),
    ("life_expectancy", "weeks"): (0.1, 600),
    ("bilirubin", "xULN"): (0.1, 50),
    ("bilirubin", "mg/dL"): (0.05, 40),
    ("ast_alt", "xULN"): (0.1, 100),
    ("ast_alt", "U/L"): (10, 10_000),
    ("creatinine", "xULN"): (0.1, 50),
    ("creatinine", "mg/dL"): (0.05, 15),
    ("creatinine_clearance", "mL/min"): (1, 400),
    ("lvef", "%"): (1, 100),
    ("shortening_fraction", "%"): (1, 100),
    ("anc", "/uL"): (1, 200_000),
    ("platelets", "/uL"): (1, 5_000_000),
    ("hemoglobin", "g/dL"): (1, 30),
    ("age", "years"): (0, 120),
}


@dataclass(frozen=True, slots=True)
class Fact:
    """One eligible bound on one measure, with the text it was read from."""

    measure: str
    bound: str  # "min" | "max"
    value: float
    unit: str
    start: int
    end: int
    span: str


# --- Step 1: mentions -------------------------------------------------------

# Acronyms are matched case-sensitively ("ALT", not "alternative"); words are not.
# Written in the syntax shared by Python's re and polars (Rust regex: no look-around),
# so that a whole column of criteria is searched at once.
_MEASURE_PATTERNS: dict[str, str] = {
    "creatinine_clearance": r"""(?i:(?:serum\s+)?creatinine?\s+clearance|\bcr\.?\s+clearance|clearance\s+of\s+creatinine
        |(?:estimated\s+|measured\s+|calculated\s+)?glomerular\s+filtration\s+rate)
        |\b(?:Cr\s?Cl|CLcr|CCr|e?GFR|mGFR|CrCL|CRCL)\b""",
    # ("Karnofsky PS 60-100%": the abbreviation after the name is part of it, not an unnamed performance status)
    "karnofsky": r"(?i:\bkarno[fv]sky(?:\s+performance)?(?:\s+(?:status|scale|score|index))?)(?:\s*\(?(?:KPS|PS)\)?)?|\bKPS\b",
    "lansky": r"(?i:\blansky(?:[-\s]+play)?(?:[-\s]+performance)?(?:\s+(?:status|scale|score))?)(?:\s*\(?(?:LPS|PS)\)?)?",
    "ecog": r"""(?:\b(?:ECOG|Zubrod|ZUBROD|SWOG|GOG|WHO)\b|(?i:eastern\s+cooperative\s+oncology\s+group))
        (?:\s+(?i:performance)?\s*(?i:status|score|scale))?(?:\s*\(?PS\)?)?
        |(?i:\bperformance[-\s]+(?:status|score))(?:\s*\(PS\))?|\bPS\b""",
    "life_expectancy": r"""(?i:\b(?:life|survival)[-\s]+expectancy|\bexpected\s+to\s+(?:survive|live)|\blife\s?span
        |\b(?:expected|estimated|projected|anticipated|predicted)\s+(?:survival|life\s?span)|\blimit(?:s|ing)?\s+(?:life\s+expectancy|(?:the\s+)?survival)|\bprognosis)""",
    "bilirubin": r"(?i:(?:total\s+|serum\s+)?bilirubin(?:\s+total)?|\bt\.?\s?bili\b|\bbili\b)|\b(?:TBIL|TBili)\b",
    "ast_alt": r"""(?i:aspartate\s+(?:amino)?transaminase|aspartate\s+(?:amino)?transferase|alanine\s+(?:amino)?transaminase
        |alanine\s+(?:amino)?transferase|(?:serum\s+)?(?:amino)?transaminases?|aminotransferases?|liver\s+enzymes|hepatic\s+enzymes
        |liver\s+function\s+tests?|serum\s+glutamic[-\s](?:oxaloacetic|pyruvic)\s+transaminase)
        |\b(?:AST|ALT|SGOT|SGPT|GOT|GPT|TGO|TGP|ASAT|ALAT|LFTs?)\b""",
    "creatinine": r"(?i:(?:serum\s+|plasma\s+|blood\s+)?creatinine?)|\b(?:S?Cr|SCr)\b",
    "lvef": r"(?i:(?:left[-\s]+ventricular[-\s]+|LV\s+|cardiac\s+)?ejection[-\s]+fraction|\bLV\s?EF\b)|\bEF\b",
    "shortening_fraction": r"(?i:(?:left\s+ventricular\s+)?(?:shortening\s+fraction|fractional\s+shortening))|\b(?:SF|FS)\b",
    "anc": r"""(?i:absolute\s+(?:neutrophil|granulocyte|phagocyte)(?:s|\s+count)?|(?:neutrophil|granulocyte)(?:s|ic)?(?:\s+leukocytes?)?(?:\s+count)?
        |polymorphonuclear(?:\s+leukocytes?)?)|\b(?:ANC|AGC|PMN)\b""",
    "platelets": r"(?i:platelets?(?:\s+counts?)?|thrombocytes?(?:\s+counts?)?)|\b(?:PLT|Plt|PLTS?)\b",
    "hemoglobin": r"(?i:ha?emoglobins?\b)|\b(?:Hgb|HGB|Hb|HB)\b",
    "age": r"(?i:\bage[ds]?\b)",
}
# Other lab values and measures: a mention's value never reaches past these.
_STOP_WORDS = r"""(?i:white\s+blood\s+cells?|leukocytes?|lymphocytes?|alkaline\s+phosphatase|albumin|calcium|potassium
    |magnesium|sodium|glucose|lipase|amylase|bicarbonate|troponin|blood\s+pressure|body\s+weight|\bweight|body\s+mass
    |oxygen|saturation|creatine\s+(?:phospho)?kinase|\burea|proteinuria|urine\s+protein|prothrombin|thromboplastin
    |fibrinogen|cholesterol|triglycerides|\bt[-\s]?score|hba1c|\bgestation|blood\s+urea\s+nitrogen)
    |\b(?:WBC|BUN|ALP|AP|INR|PT|PTT|aPTT|APTT|QTc|QTcF|BMI|FEV1|DLCO|LDH|CK|GGT|TSH|CD4|HIV|PSA)\b"""


def _compact(pattern: str) -> str:
    """A pattern written over several lines, as one line (the patterns use \\s, never a literal space)."""
    return re.sub(r"\s+", "", pattern)


# ASCII word boundaries and case folding in both engines (and fast in polars).
_MENTION_PATTERNS = {name: re.compile(_compact(p), re.ASCII) for name, p in _MEASURE_PATTERNS.items()}
# One search for every mention, in leftmost-first order: for polars and for re alike.
MENTION_PATTERN = "|".join(f"(?:{_compact(p)})" for p in [*_MEASURE_PATTERNS.values(), _STOP_WORDS])
_MENTION = re.compile(MENTION_PATTERN, re.ASCII)
# "100,000 platelets/mm3": the name of a count used as its unit.
_MENTION_AS_UNIT = re.compile(r"\s*/\s*(?:mm\s*(?:\^|\()?\s*3\)?|mm³|[µμu][lL]|mcL|cu\.?\s*mm|cmm)")
# Words just before a mention that make it something else (direct bilirubin, HbA1c, a donor's age).
_VETO_BEFORE = {
    "bilirubin": re.compile(r"(?i)\b(?:direct|conjugated|indirect|unconjugated|urine|urinary)\s*$"),
    "hemoglobin": re.compile(r"(?i)(?:glycosylated|glycated|fetal|plasma\s+free|free)\s*$"),
    "creatinine": re.compile(r"(?i)(?:protein|albumin|urine|urinary|spot)[\s/:-]*(?:to[\s-]*)?$"),
    "lvef": re.compile(r"(?i)(?:IIEF|-|erectile\s+function(?:\s+domain)?\s*\()\s*$"),  # IIEF-EF: erectile function
    "age": re.compile(
        r"(?i)(?:gestational|bone|mental|developmental|corrected|postmenstrual|post-menstrual|skeletal|reading)\s*$"
    ),
}
_EITHER_BEFORE = re.compile(r"(?i)\btotal\s+(?:or|and|and/or|/)\s*\w+\s*$")  # "total or direct bilirubin"
_VETO_AFTER = {
    "lvef": re.compile(r"(?i)\s*\)?\s*(?:domain|score|of\s+the\s+international)"),
    "shortening_fraction": re.compile(r"-\d"),  # SF-36, SF-12: quality-of-life forms
    "hemoglobin": re.compile(r"(?i)\s*(?:A1c|A1C|A\b|S\b|F\b|SC\b|electrophoresis)"),
    "creatinine": re.compile(r"(?i)\s*(?:ratio|to\s+creatinine)"),
    "bilirubin": re.compile(r"(?i)\s*,?\s*(?:direct|conjugated)"),
}

# --- Step 2: values ---------------------------------------------------------

# A number: thousands separated by commas (also "1, 500"), decimals by a point or
# a comma, never part of a longer dotted string ("1.5.2") or a power ("10^9").
_NUM = r"""(?<![\d.,^])(?:\d{1,3}(?:,\s?\d{3})+(?!\d)|\d+(?:[.,]\d+)?)(?![.,]?\d)(?!\s*\^)
    |\b(?i:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twice)\b"""
_NUMBER_WORDS = {
    word: float(n)
    for n, word in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
    )
} | {"twice": 2.0}
_LT = r"""<\s*/?\s*=|=\s*/?\s*<|≤|⩽|≦|<=|=<|</=|<\s*or\s*=|=\s*or\s*<|<\s*or\s*equal(?:\s+to)?
    |(?:less|lesser|lower|lest|fewer)\s+(?:than|then|that)\s*(?:or\s+)?equal(?:\s+to)?
    |(?:no|not)\s+(?:greater|more|higher|larger|bigger)\s+(?:than|then)|(?:must\s+)?not\s+(?:to\s+)?exceed(?:ing)?|not\s+exceeding
    |up\s+to(?:\s+and\s+including)?|at\s+most|maximum(?:\s+of)?|max\.?(?:\s+of)?|equal\s+to\s+or\s+(?:less|lower)\s+than"""
_LT_STRICT = r"<|(?:less|lesser|lower|lest|fewer)\s+(?:than|then|that)|below|under|beneath|younger\s+than|inferior\s+to"
_GE = r""">\s*/?\s*=|=\s*/?\s*>|≥|⩾|≧|>=|=>|>/=|>\s*or\s*=|=\s*or\s*>|>\s*or\s*equal(?:\s+to)?
    |(?:greater|more|higher|larger|older)\s+(?:than|then)\s*(?:or\s+)?equal(?:\s+to)?|(?:no|not)\s+(?:less|lower|fewer)\s+(?:than|then)
    |at\s+least|minimum(?:\s+of)?|min\.?(?:\s+of)?|equal\s+to\s+or\s+(?:greater|more|higher)\s+than"""
_GT_STRICT = r">|(?:greater|more|higher|larger|older)\s+(?:than|then)|above|over|exceed(?:s|ing)?|in\s+excess\s+of|superior\s+to"
# A lone "=" ("ECOG status =2") or a garbled "?" takes the measure's usual direction.
_COMPARATOR = rf"(?i:(?P<le>{_LT})|(?P<ge>{_GE})|(?P<lt>{_LT_STRICT})|(?P<gt>{_GT_STRICT})|(?P<usual>\?|=))"
# "... or more" after the number (with or without its unit).
# Not when a number follows: "over 18 and below 76" is a second limit, not "18 and below".
_POSTFIX = r"""(?i:(?P<post_ge>\+|(?:or|and)\s+(?:more|greater|higher|older|over|above|up)(?!\s*\d)|or\s+more\s+than)
    |(?P<post_le>(?:or|and)\s+(?:less|lower|fewer|younger|under|below)(?!\s*\d)))"""
_ULN = r"""(?:(?:the|an?)\s+)?(?:(?:institutional|institution's|local|laboratory|lab|site|age[-\s]adjusted|age[-\s]appropriate|upper)\s+)*
    (?:ULN|IULN|ULRR|UNL|U\.L\.N\.?|uln|Uln
    |upper[-\s]+limits?[-\s]+(?:of\s+)?(?:the\s+)?(?:institutional\s+)?(?:normal|norm|reference)(?:[-\s]+(?:range|values?|limits?))?
    |upper[-\s]+normal[-\s]+(?:limits?|values?|range)|upper\s+limit(?!\s+of)|top\s+(?:of\s+)?normal
    |(?:limits?\s+of\s+)?normal(?:[-\s]+(?:values?|range|limits?))?|N\b)"""
_TIMES = r"(?:x|X|×|\*|times|-?fold|folds?)\s*(?:(?:greater|higher|more)\s+than\s+|above\s+|over\s+|the\s+)?"
_POWER = r"""(?:x|X|×|\*)?\s*10\s*(?:\^|\*\*|e|E|exp)?\s*\(?(?P<{p}exp>\d{{1,4}}|[⁰¹²³⁴⁵⁶⁷⁸⁹]+)\)?\s*(?:cells\s*)?"""
_VOLUME = r"(?:cells|platelets|neutrophils|PMNs?)?\s*/\s*(?P<{p}vol>[Lℓl](?!\w)|m[Ll](?!\w)|[uµμ][Ll]|mcL|micro\s?L(?:iter|itre)?|mm\s*(?:\^|\()?\s*3\)?|mm³|cmm|cu\.?\s*mm|[nN][Ll])"
_UNIT = r"""(?P<{p}uln>(?:{times})?{uln})
    |(?P<{p}count>(?:{power})?{volume}|G/L|[Kk]\s*/\s*(?:[uµμ][Ll]|mm\s*(?:\^|\()?\s*3\)?|mm³)|mm\s*(?:\^\s*)?(?:3|³|\(3\)))
    |(?P<{p}mgdl>mg\s*[/\\]\s*d[Ll1]|mg\s*%|mg\s*/\s*100\s*m[Ll]|mg/dL|mg/dl)
    |(?P<{p}umol>(?:[uµμ]|micro|mc)\s*mol(?:es)?\s*/\s*[Ll]|[uµμ]M\b)
    |(?P<{p}mmol>mmol\s*/\s*[Ll])
    |(?P<{p}gdl>g(?:m|r)?\s*/\s*d[Ll1]|g\s*%|g/100\s*m[Ll]|grams?\s+per\s+deciliter)
    |(?P<{p}gl>g(?:m|r)?\s*/\s*[Ll](?!\w))
    |(?P<{p}mlmin>m[Ll]\s*/\s*min(?:ute)?|mil+ilit(?:er|re)s?\s+(?:per|/)\s*min(?:ute)?|cc\s*/\s*min|m[Ll]\s*/\s*[’'`]|mg\s*/\s*m[Ll]|m[Ll]/s)
    |(?P<{p}ul>(?:I?U|IU|iu|u)\s*/\s*[Ll](?!\w))
    |(?P<{p}pct>%|percent|per\s*cent)
    |(?P<{p}time>hours?|hrs?|days?|weeks?|wks?|months?|mos?\.?|mths?|years?|yrs?|y/o|yo|y(?=\s|$|\)|,))
    |(?P<{p}foreign>mg\s*/\s*kg|kg|mm\s*Hg|mmHg|cm|mg(?!\s*/)|cigarettes|units|points?)"""


def _unit(prefix: str) -> str:
    return _UNIT.format(
        p=prefix,
        times=_TIMES,
        uln=_ULN,
        power=_POWER.format(p=prefix),
        volume=_VOLUME.format(p=prefix),
    )


_RANGE_JOIN = r"\s*(?:-|–|—|to(?:\s+and\s+including)?|and|through|or|,\s*(?:\d\s*,?\s*)*(?:or|and)?)\s*"
_VALUE = re.compile(
    rf"""(?P<gap>[^\d;<>≤≥⩽⩾=?]*?)
    (?:
      (?P<normal>(?:within|in|at)\s+(?:the\s+)?(?:institutional\s+|age[-\s]appropriate\s+)?normal\s+(?:limits?|range|values?)|\bWNL\b|\bnormal\b)
      |(?:(?P<comp>{_COMPARATOR})\s*[:\s]*(?:\([<>≤≥=]+\)\s*)?(?:the\s+)?)?
       (?:
         (?P<bare_uln>{_ULN})
         |(?:between\s+|from\s+)?(?P<n1>{_NUM})\)?\s*(?P<u1>{_unit("a_")})?
          (?:(?P<join>{_RANGE_JOIN})(?P<n2>{_NUM})\s*(?P<u2>{_unit("b_")})?)?
          \s*(?:of\s+age\s*|old\s*)?(?P<post>{_POSTFIX})?
       )
    )""",
    re.VERBOSE,
)
# Ages stated number-first: "18 years of age or older", "under 18 years of age", "> 48 hours old".
_AGE_UNIT = r"(?:years?|yrs?|y/o|months?|mos?|weeks?|wks?|days?|hours?|hrs?)"
_AGE_FIRST = re.compile(
    rf"""(?P<n1>{_NUM})\s*(?:\([a-z-]+\)\s*)?(?:(?P<u1>{_AGE_UNIT})\s*)?(?:(?:-|–|to(?:\s+and\s+including)?|and)\s*(?:<|less\s+than|under)?\s*(?P<n2>{_NUM})\s*)?
    (?P<unit>{_AGE_UNIT})[-\s]*
    (?:(?P<anchor>of\s+age|old|of\s+life|at\s+(?:the\s+)?(?:time\s+of\s+)?(?:study\s+)?(?:entry|enrol{{1,2}}ment|inclusion|registration|screening|consent|diagnosis|randomi[sz]ation))\s*)?
    (?P<post>(?:or|and)\s+(?:older|younger|over|above|under|below)(?!\s*\d))?""",
    re.VERBOSE,
)
_AGE_WORD_SOON = re.compile(r"(?i)[\s,]*(?:and|but|to|-)\s+[^\d.;]{0,20}\d+\s*[a-z]*[-\s]*(?:of\s+age|old)\b")
# The comparison before a number-first age ("under 18 years of age", "> 48 hours old").
_AGE_COMPARATOR = re.compile(rf"(?:{_COMPARATOR})\s*(?:the\s+age\s+of\s+)?(?:between\s+)?$", re.VERBOSE)
# People a number-first age may follow without "years" ("Women 65 or older").
_PERSON_AGE = re.compile(
    rf"""(?i)\b(?:men|women|males?|females?|patients?|subjects?|participants?|adults?|persons?|individuals?|volunteers?)\s+
    (?:aged?\s+)?(?P<n1>{_NUM})\s+(?P<post>(?:or|and)\s+(?:older|over|above|younger|under|below))""",
    re.VERBOSE,
)
# A mention's clause ends at a sentence, a semicolon, a bullet or a new "Heading:".
_CLAUSE_END = re.compile(r"[;•\n]|\.(?:\s+(?=[A-Z(])|$)|\s(?:(?=[A-Z][a-z]+(?:\s[a-z]+)?:\s)|(?:i{1,3}|iv|vi{0,3})\.\s)")
_DIGIT_BEFORE = re.compile(r"\d\s*$")
_DIGIT = re.compile(r"\d")
_NOT_BEFORE = re.compile(r"(?i)\bnot\s+$")
_CONJUNCTION = re.compile(r"(?i)(?:\s|,|/|\(|\)|\band\b|\bor\b|&)*")
_RELATIVE_AFTER = re.compile(
    r"(?i)\s*(?:below|above|under|over|of|from)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?(?:normal|LLN|baseline|predicted|expected)\b"
)
_BARE_GAP = re.compile(
    r"(?i)[\s:,=()/-]*(?:(?:of|is|are|level|levels|value|values|count|counts|score|status|concentration|must|should|be|at|serum|total|PS|scale)[\s:,=()/-]*)*"
)
_ASIDE = re.compile(r"\s*\([^()]{1,40}\)")
# A second comparison after the first one's value: "≥ 18 and ≤ 65", "< 35 or > 75", "≥ 6 months to < 2 years".
_SECOND_HINT = re.compile(
    r"(?i)\s*(?:,|or|and|but|and/or|to)?\s*(?:[<>≤≥=]|less|lesser|lower|greater|more|higher|under|over|above|below|younger|older|at|no|not|up|max|min)"
)
_JOINER = re.compile(r"(?i)\s*(?:,|or|and|but|and/or|to)?\s*")
_MAX_GAP = 80
_REACH = 160  # characters after a mention where its value may be
# Text that may hold a value: a digit, a number word, or a limit of normal (also the polars prefilter).
VALUE_HINT = (
    r"(?i)\d|normal|\buln\b|upper\s+limit|\bwnl\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twice)\b"
)
_HAS_VALUE = re.compile(VALUE_HINT)
# Between a mention and its value: words that make the number something else.
_GAP_VETO = re.compile(
    r"""(?i)\b(?:if|when|unless|whereas|since|within|prior|after|before|during|transfus\w*|increase[sd]?|decrease[sd]?
    |rise|drop|reduction|decline|change|fall|not\s+specified|not\s+required|grade|history|days?|weeks?|months?|doses?)\b""",
    re.VERBOSE,
)
_GAP_VETO_SCALE = re.compile(r"(?i)\b(?:if|when|unless|since|within|prior|after|before|history|days?|weeks?|months?)\b")
# A clause that denies what it states ("No illness limiting survival to < 3 months"): turn around.
_NEGATED_CLAUSE = re.compile(
    r"(?i)^\W*(?:[A-Z][a-z]+(?:\s[a-z]+)?:\s*)?(?:(?:patients?|subjects?|participants?)\s+(?:with|have|has)\s+)?(?:no|not|without|absence\s+of|free\s+of|never)\b(?!\s+(?:more|greater|less|fewer|higher|lower|older|younger|specified|applicable|required)\b)"
)
# Text right after a value that limits it to a sub-group ("5 x ULN if liver metastases").
_QUALIFIER_AFTER = re.compile(
    r"""(?i)[\s,)\]*]*(?:if|when|unless|where|whereas|due\s+to|attributable|secondary\s+to|in\s+case|in\s+the\s+(?:presence|setting|case)
    |(?:in|for|among)\s+(?:patients?|subjects?|participants?|those|people|persons|children|adults|women|men|cases|individuals|pts)
    |with\s+(?:liver|hepatic|bone|known|documented|gilbert|hepatocellular|metasta|marrow|leukemi)
    |at\s+(?:the\s+time\s+of\s+)?(?:initial\s+|first\s+|original\s+)?diagnosis|\(?[^()]{0,30}gilbert)""",
    re.VERBOSE,
)
# Text before a mention that makes it a sub-group's ("for patients with Gilbert's syndrome, bilirubin < 3").
_QUALIFIER_BEFORE = re.compile(
    r"""(?i)\b(?:(?:if|for|in|among)\s+(?:patients?|subjects?|participants?|those|children|adults|cases)\s+(?:with|who|under|over|aged?|<|>|≤|≥)
    |patients?\s+with|gilbert|liver\s+(?:metasta|involvement)|hepatic\s+(?:metasta|involvement)|except|unless)""",
    re.VERBOSE,
)
# An age that only conditions another rule ("for patients over 16", "if under 18"), or someone else's age.
_AGE_CONDITION = re.compile(
    r"""(?i)\b(?:if|when|unless|whereas|for|in|among|once|until)\b(?:\s+[A-Z][\w-]*)?
    (?:\s+(?:the|those|all|any|a|patients?|subjects?|participants?|children|individuals|people|persons|women|men|girls|boys
    |minors|adolescents|adults|who|are|is|were|aged?|of|with|pts|over|under|above|below|older|younger|than|less|greater|more
    |at|least|most|or|equal|to)|\s*[<>≤≥=/]+)*\s*$""",
    re.VERBOSE,
)
# "between 8 and 39 years of age sign the consent", "under 18 must have a parent's consent": who signs.
_AGE_CONSENT_AFTER = re.compile(
    r"(?i)[^.;(]{0,50}?\b(?:signs?\s+(?:an?\s+|the\s+|their\s+|own\s+)*(?:informed\s+)?(?:consent|assent)|assent|parents?|guardians?)\b"
)
_AGE_OTHER_PERSON = re.compile(
    r"""(?i)\b(?:donors?|mothers?|fathers?|parents?|guardians?|siblings?|partners?|spouses?|caregivers?|household|contacts?
    |consent|assent|onset|symptoms?\s+(?:began|appeared|started)|diagnosed\s+(?:before|after)|born|menarche|menopause|vaccinat\w*|smok\w*|drink\w*)\b""",
    re.VERBOSE,
)
# Criteria that may state an age number-first (also the polars prefilter for them).
AGE_FIRST_HINT = r"""(?i)(?:\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve))\s*(?:\([a-z-]+\)\s*)?(?:years?|yrs?|y/o|months?|mos?|weeks?|wks?|days?|hours?|hrs?)[-\s]*(?:of\s+age|old|of\s+life|at\s)
    |\d\s+(?:years?\s+)?(?:or|and)\s+(?:older|younger|over|under|above|below)"""
_AGE_FIRST_HINT = re.compile(_compact(AGE_FIRST_HINT))
# "eligible if aged 18 or older": a condition that is the criterion itself.
_ELIGIBLE_IF = re.compile(
    r"(?i)\b(?:eligible|allowed|permitted|acceptable|included|qualif\w*|enrolled|accepted)\s+(?:only\s+)?(?:if|when)\b"
)
# "WHO" is a performance scale only when a score follows.
_WHO_SCORE = re.compile(r"\s*(?:performance|PS|score|status|[0-5]\b|[≤<=])")
_CONDITION_BEFORE = re.compile(r"(?i)\b(?:if|when|unless|whereas|once)\s+(?:[\w/]+\s+){0,3}$")
# "18 years of age": the number-first reading (_AGE_FIRST) takes these.
_AGE_AS_UNIT = re.compile(r"(?i)(?:\d\s*|\b(?:years?|yrs?|months?|weeks?|days?|hours?)\s+)of\s+$")
_AT_DIAGNOSIS = re.compile(r"(?i)\s*at\s+(?:the\s+time\s+of\s+)?(?:initial\s+|first\s+|original\s+)?diagnosis")
_PERCENT_FIRST = re.compile(
    rf"(?:(?P<comp>{_COMPARATOR})\s*)?(?P<n1>{_NUM})\s*%\s*(?:(?:an?|the|left\s+ventricular|LV|cardiac)\s+)*$", re.VERBOSE
)
_COUNT_FIRST = re.compile(rf"(?:(?P<comp>{_COMPARATOR})\s*)?(?P<n1>{_NUM})\s*$", re.VERBOSE)
_PREV_COMPARATOR = re.compile(rf"(?:{_COMPARATOR})\s*(?:the\s+)?$", re.VERBOSE)

_SPACE = re.compile(r"\s")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")
_THOUSANDS_BELOW = {"anc": 50, "platelets": 1000}
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_TIME_WEEKS = {"h": 1 / 168, "d": 1 / 7, "w": 1.0, "m": 4.345, "y": 52.18}
_TIME_YEARS = {"h": 1 / 8766, "d": 1 / 365.25, "w": 1 / 52.18, "m": 1 / 12, "y": 1.0}
_FLIP = {"lt": "ge", "le": "gt", "gt": "le", "ge": "lt"}


@dataclass(slots=True)
class _Reading:
    """One comparison read from the text, before it is turned into an eligible bound."""

    measure: str
    comparison: str  # lt | le | gt | ge | eq
    value: float
    unit: str
    start: int
    end: int
    qualified: bool
    negated: bool  # in an inclusion, a "No ..." clause: turned around like an exclusion
    is_range: bool = False
    at_diagnosis: bool = False  # an age at diagnosis: yields only to an age at entry of the same bound


def _number(text: str) -> float | None:
    """A number as written: "1,500" and "1, 500" are thousands, "1,5" is a decimal comma, "twice" is 2."""
    if text[:1].isalpha():
        return _NUMBER_WORDS.get(text.lower())
    if text.isdigit():
        return float(text) if len(text) <= 15 else None
    text = _SPACE.sub("", text)
    text = text.replace(",", "") if _THOUSANDS.fullmatch(text) else text.replace(",", ".")
    if len(text) > 15:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _comparison(match: re.Match[str], *, usual: str) -> str | None:
    for name in ("le", "ge", "lt", "gt"):
        if match.group(name):
            return name
    if match.group("usual"):
        return "le" if usual == "max" else "ge"
    return None


def _convert(measure: str, value: float, match: re.Match[str], prefix: str) -> tuple[float, str] | None:
    """The value in the measure's unit, or None when the unit belongs to something else."""
    g = match.group
    if g(f"{prefix}foreign") or (g(f"{prefix}time") and measure not in ("life_expectancy", "age")):
        return None
    if g(f"{prefix}uln"):
        return (value, "xULN") if measure in ULN_MEASURES else None
    if g(f"{prefix}pct") and measure not in ("karnofsky", "lansky", "lvef", "shortening_fraction"):
        return None
    if measure in COUNT_MEASURES:
        if g(f"{prefix}count") or g(f"{prefix}gl") or (g(f"{prefix}ul") is None and g(f"{prefix}mlmin") is None):
            return _count(measure, value, match, prefix)
        return None
    if measure == "hemoglobin":
        if g(f"{prefix}gl") and value > 25:
            return value / 10, "g/dL"  # below that, "9 g/L" is a typo for g/dL
        if g(f"{prefix}mmol"):
            return value * 1.611, "g/dL"
        if value > 30 and not g(f"{prefix}gdl"):
            return value / 10, "g/dL"  # a bare "90" or "≥ 90" is in g/L
        return value, "g/dL"
    if measure in ("bilirubin", "creatinine"):
        if g(f"{prefix}umol"):
            return value / (17.1 if measure == "bilirubin" else 88.4), "mg/dL"
        if g(f"{prefix}ul") or g(f"{prefix}count"):
            return None
        return value, "mg/dL"
    if measure == "ast_alt":
        if g(f"{prefix}ul"):
            return value, "U/L"
        if g(f"{prefix}mgdl") or g(f"{prefix}count"):
            return None
        return (value, "xULN") if value <= 20 else (value, "U/L")  # "AST ≤ 2.5" is a multiple of the ULN
    if measure == "creatinine_clearance":
        return value, "mL/min"
    if measure in ("lvef", "shortening_fraction", "karnofsky", "lansky"):
        return value, "%"
    if measure == "ecog":
        return value, "points"
    time = g(f"{prefix}time")
    if measure == "life_expectancy":
        return value * _TIME_WEEKS[(time or "w").lower()[0]], "weeks"
    if measure == "age":
        return value * _TIME_YEARS[(time or "y").lower()[0]], "years"
    return None


def _count(measure: str, value: float, match: re.Match[str], prefix: str) -> tuple[float, str] | None:
    """Cell counts per µL: 10^9/L and 10^3/µL are thousands, /mm3 is /µL."""
    g = match.group
    unit = g(f"{prefix}count") or g(f"{prefix}gl") or ""
    exponent = g(f"{prefix}exp")
    volume = _SPACE.sub("", g(f"{prefix}vol") or "").lower()
    per_litre = {"l": 1e-6, "ℓ": 1e-6, "ml": 1e-3, "nl": 1e3}.get(volume, 1.0)
    if exponent is not None:
        power = int(exponent.translate(_SUPERSCRIPTS)) if len(exponent) <= 3 else 999
        if power in (103, 106, 109):
            power -= 100  # "x 109/L": the superscript was lost when the text was flattened
        if power > 15:
            return None
        return value * 10**power * per_litre, "/uL"
    if unit.upper() == "G/L" or unit[:1] in ("K", "k") or volume == "nl":
        return value * 1000, "/uL"
    if volume in ("l", "ℓ") and value < 1000:
        return None  # cells per litre with no power of ten: garbled ("100,000/L" is read as per µL)
    if not unit and value < _THOUSANDS_BELOW[measure]:
        # No unit, and small enough to be in thousands ("ANC ≥ 1.5", "platelets ≥ 100").
        return value * 1000, "/uL"
    return value, "/uL"


def _eligible(reading: _Reading, section_flip: bool) -> list[tuple[str, float]]:
    """The eligible bound(s) of one reading, on the measure's scale."""
    comparison = reading.comparison
    # An exclusion "No ..." is still an exclusion: only inclusions are turned by their wording.
    flipped = reading.negated or section_flip
    if flipped and reading.is_range:
        # An excluded range ("ECOG 3-4") leaves the side of the measure's usual bound; an age range, no one side.
        usual = USUAL_BOUND.get(reading.measure)
        if usual is None or comparison != ("ge" if usual == "max" else "le"):
            return []
    if comparison == "eq":
        # A bare value ("AST 5 x ULN", "platelet count 30 x 10^9/L") is the measure's usual bound, either section.
        comparison = "le" if USUAL_BOUND.get(reading.measure) == "max" else "ge"
    elif flipped:
        comparison = _FLIP[comparison]
    bound = "max" if comparison in ("lt", "le") else "min"
    value = reading.value
    scale = SCALES.get(reading.measure)
    if scale:
        step, _, _ = scale
        units = value / step
        if comparison == "lt":
            value = (math.ceil(units) - 1) * step
        elif comparison == "le":
            value = math.floor(units) * step
        elif comparison == "gt":
            value = (math.floor(units) + 1) * step
        else:
            value = math.ceil(units) * step
    return [(bound, value)]


_LIMITS_SURVIVAL = re.compile(r"(?i)limit(?:s|ing)?\s+(?:life\s+expectancy|(?:the\s+)?survival)")


@functools.lru_cache(maxsize=8)
def _clause_ends(text: str) -> list[int]:
    return [found.end() for found in _CLAUSE_END.finditer(text)]


def _clause_start(text: str, position: int) -> int:
    """Where the clause holding ``position`` begins."""
    ends = _clause_ends(text)
    index = bisect.bisect_right(ends, position)
    return ends[index - 1] if index else 0


def _window_end(text: str, start: int, limit: int) -> int:
    found = _CLAUSE_END.search(text, start, limit)
    return found.start() if found else limit


def _read_mention(
    text: str,
    measure: str,
    start: int,
    end: int,
    limit: int,
    *,
    negated: bool,
    preceding: tuple[str, int] | None = None,
) -> list[_Reading] | None:
    """The first value after one mention of a measure, within its reach."""
    found = _VALUE.match(text, end, _window_end(text, end, min(limit, end + _REACH)))
    if not found:
        return None
    gap = found.group("gap")
    if len(gap) > _MAX_GAP:
        return None
    if measure == "ecog" and found.group("a_pct") and text[start : start + 4].lower() == "perf":
        # An unnamed performance status in percent is Karnofsky's (or Lansky's, where named).
        measure = "lansky" if "lansky" in text[start : found.end() + 40].lower() else "karnofsky"
    if text[start:end].lower() == "prognosis" and len(gap.strip()) > 3:
        return None  # only "prognosis of < 2 years"-like wordings are a survival time
    scale = measure in SCALES
    if found.group("normal") or found.group("bare_uln"):
        if measure not in ULN_MEASURES or (found.group("normal") and len(gap.strip(" :,-()")) > 12):
            return None
        if found.group("bare_uln") and not found.group("comp"):
            return None
        comparison = _comparison(found, usual="max") if found.group("comp") else "le"
        if comparison is None or _GAP_VETO.search(gap):
            return None
        reading = _Reading(measure, comparison, 1.0, "xULN", start, found.end(), _qualified(text, found.end(), start), negated)
        return [reading]
    if (_GAP_VETO_SCALE if scale else _GAP_VETO).search(gap) and not (found.group("a_uln") and "increase" in gap.lower()):
        return None
    first = _number(found.group("n1"))
    if first is None:
        return None
    usual = USUAL_BOUND.get(measure, "min")
    comparison = _comparison(found, usual=usual) if found.group("comp") else None
    if comparison is None and preceding is not None:
        comparison, start = preceding
    post = found.group("post")
    if post:
        comparison = "ge" if found.group("post_ge") else "le"
    second = _number(found.group("n2")) if found.group("n2") else None
    join = (found.group("join") or "").strip()
    if measure == "age" and second is not None and comparison in ("ge", "gt") and join.startswith("to") and second > first:
        comparison = None  # "ages greater than or equal to 2 to 80": the sign opens a range, both ends count
    if second is not None and comparison is None:
        is_list = join.startswith(",") or join in ("or", "and")
        between = "between" in text[max(0, start - 20) : found.start("n1")].lower()
        if (join in ("or", "and") and not between and not scale) or (is_list and not scale and not between):
            second = None
    else:
        second = None
    unit_match = "b_" if second is not None and found.group("u2") else "a_"
    converted_first = _convert(measure, first, found, unit_match)
    if converted_first is None:
        return None
    unit = converted_first[1]
    factor = converted_first[0] / first if first else 1.0
    unit_given = bool(found.group("u1") or found.group("u2"))
    if measure == "age" and not unit_given and not comparison and second is None and not post:
        return None
    if measure == "life_expectancy" and not (found.group("a_time") or found.group("b_time")):
        return None  # "prognosis score of 2 or more" is no survival time
    span_end = found.end()
    if _RELATIVE_AFTER.match(text, span_end):
        return None  # "10% below institutional normal", "50% of predicted": relative to something else
    qualified = _qualified(text, span_end, start)
    if second is not None:
        low, high = sorted((first * factor, second * factor))
        readings = []
        limits = SCALES.get(measure)
        # An end that is the scale's own limit (ECOG 0-2, Karnofsky 60-100) says nothing.
        if not (limits and low <= limits[1]) and not (measure == "age" and low == 0):
            readings.append(_Reading(measure, "ge", low, unit, start, span_end, qualified, negated, is_range=True))
        if not (limits and high >= limits[2]):
            readings.append(_Reading(measure, "le", high, unit, start, span_end, qualified, negated, is_range=True))
        return readings
    if comparison is None:
        if measure == "age":
            return None
        comparison = "eq"
        if not unit_given and not _BARE_GAP.fullmatch(gap):
            return None  # a number with no sign and no unit, apart from the mention, is something else
    readings = [_Reading(measure, comparison, first * factor, unit, start, span_end, qualified, negated)]
    # "Age < 35 or > 75 years", "age ≥ 18 and ≤ 65": a second comparison the other way (after a bracketed
    # restatement of the first, "≥ 12 months (365 days) and ≤ 21 years", if there is one).
    aside = _ASIDE.match(text, span_end)
    after = aside.end() if aside else span_end
    second_found = _SECOND_HINT.match(text, after) and _VALUE.match(text, after, _window_end(text, after, min(limit, after + 40)))
    if (
        second_found
        and second_found.group("comp")
        and second_found.group("n1")
        and _JOINER.fullmatch(second_found.group("gap"))
        and comparison != "eq"
    ):
        other = _comparison(second_found, usual=usual)
        value = _number(second_found.group("n1"))
        converted = _convert(measure, value, second_found, "a_") if value is not None else None
        if other and other[0] != comparison[0] and converted and converted[1] == unit:
            end_at = second_found.end()
            readings.append(
                _Reading(
                    measure,
                    other,
                    converted[0] if second_found.group("u1") else value * factor,
                    unit,
                    start,
                    end_at,
                    qualified,
                    negated,
                )
            )
    return readings


def _count_first(text: str, measure: str, start: int, end: int) -> list[_Reading]:
    """A count written before its name, which stands as the unit ("100,000 platelets/mm3")."""
    unit = _MENTION_AS_UNIT.match(text, end)
    return _value_before(text, measure, _COUNT_FIRST, start, unit.end(), "/uL") if unit else []


def _percent_first(text: str, measure: str, start: int, end: int) -> list[_Reading]:
    """An ejection or shortening fraction written number-first ("at least 50% ejection fraction"), with no value after."""
    return _value_before(text, measure, _PERCENT_FIRST, start, end, "%")


def _value_before(text: str, measure: str, pattern: re.Pattern[str], start: int, end: int, unit: str) -> list[_Reading]:
    """The value `pattern` finds just before a mention at `start` (within its clause and 40 characters), read to `end`."""
    window = max(_clause_start(text, start), start - 40)
    found = pattern.search(text[window:start])
    value = _number(found.group("n1")) if found else None
    if found is None or value is None:
        return []
    comparison = (_comparison(found, usual="min") if found.group("comp") else None) or "eq"
    at = window + found.start()
    return [_Reading(measure, comparison, value, unit, at, end, _qualified(text, end), _negated(text, at))]


def _qualified(text: str, end: int, start: int | None = None) -> bool:
    """Whether a value holds only for a sub-group: said right after it, or before its mention in the clause."""
    if _QUALIFIER_AFTER.match(text, end):
        return True
    return start is not None and bool(_QUALIFIER_BEFORE.search(text, max(_clause_start(text, start), start - 60), start))


# An age in brackets right after a lab value ("1.0 mg/dL (6-9 years of age)"): one row of a table of limits by age.
_AGE_ROW_OF_A_VALUE = re.compile(
    r"(?i)\d\s*(?:mg\s*/\s*d[lL]|g\s*/\s*d[lL]|[uµμ]mol\s*/\s*[lL]|m[lL]\s*/\s*min|x\s*ULN)\s*\(\s*$"
)


def _age_vetoed(text: str, start: int, clause_start: int) -> bool:
    before = text[clause_start:start]
    conditional = _AGE_CONDITION.search(before[-40:]) and not _ELIGIBLE_IF.search(before[-60:])
    return bool(
        conditional
        or _AGE_ROW_OF_A_VALUE.search(before[-30:])
        or _AGE_OTHER_PERSON.search(before)
        or _AGE_CONSENT_AFTER.match(text, start)
        or _in_aside_of_a_measure(before)
    )


def _in_aside_of_a_measure(before: str) -> bool:
    """Whether the text ``before`` an age leaves it inside parentheses that follow another measure."""
    opening = before.rfind("(")
    return opening >= 0 and ")" not in before[opening:] and _names_a_measure(before[max(0, opening - 50) : opening])


def _names_a_measure(text: str) -> bool:
    """Whether ``text`` mentions a measure other than age ("ECOG > 2 (≥ 18 years)": that age picks the scale)."""
    return any(_kind(found.group(0)) not in ("age", "stop") for found in _MENTION.finditer(text))


def _age_first_matches(text: str) -> list[re.Match[str]]:
    """_AGE_FIRST near its hints ("18 years of age", "65 or older"), not over the whole text."""
    spans: list[list[int]] = []
    for hint in _AGE_FIRST_HINT.finditer(text):
        start, end = max(0, hint.start() - 60), min(len(text), hint.end() + 40)
        if spans and start <= spans[-1][1]:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return [found for start, end in spans for found in _AGE_FIRST.finditer(text, start, end)]


def _age_first_readings(text: str) -> list[_Reading]:
    """Ages stated number-first: "18 years of age or older", "under 18 years of age", "Women 65 or older"."""
    readings: list[_Reading] = []
    for found in _age_first_matches(text):
        anchor, post = found.group("anchor"), found.group("post")
        before = _AGE_COMPARATOR.search(text[max(0, found.start() - 40) : found.start()])
        start = found.start() - (len(before.group(0)) if before else 0)
        # "at least 20 years and below 80 years of age": the first number's anchor comes later
        anchored = anchor or post or (before and _AGE_WORD_SOON.match(text, found.end()))
        if not anchored or (anchor == "of life" and not before):
            continue
        clause = _clause_start(text, start)
        first = _number(found.group("n1"))
        if first is None or _age_vetoed(text, start, clause):
            continue
        factor = _TIME_YEARS[found.group("unit").lower()[0]]
        negated = _negated(text, start)
        at_diagnosis = bool(anchor and "diagnosis" in anchor) or bool(_AT_DIAGNOSIS.match(text, found.end()))
        qualified = at_diagnosis or _qualified(text, found.end())
        second = _number(found.group("n2")) if found.group("n2") else None
        if second is not None:
            # "3 months to 17 years": each end in its own unit
            first_factor = _TIME_YEARS[found.group("u1").lower()[0]] if found.group("u1") else factor
            low, high = sorted((first * first_factor, second * factor))
            # "0-21 years": an age from birth has no lower bound to state
            for comparison, value in (("ge", low), ("le", high))[0 if low > 0 else 1 :]:
                readings.append(
                    _Reading("age", comparison, value, "years", start, found.end(), qualified, negated, True, at_diagnosis)
                )
            continue
        if post:
            comparison = "le" if _YOUNGER.search(post) else "ge"
        elif before:
            comparison = _comparison(before, usual="min")
        else:
            continue
        if comparison:
            readings.append(
                _Reading("age", comparison, first * factor, "years", start, found.end(), qualified, negated, False, at_diagnosis)
            )
    for found in _PERSON_AGE.finditer(text):
        start = found.start("n1")
        first = _number(found.group("n1"))
        if first is None or _age_vetoed(text, start, _clause_start(text, start)):
            continue
        comparison = "le" if _YOUNGER.search(found.group("post")) else "ge"
        readings.append(_Reading("age", comparison, first, "years", start, found.end(), False, _negated(text, start)))
    return readings


_YOUNGER = re.compile(r"(?i)less|lower|fewer|younger|under|below")


def _negated(text: str, position: int) -> bool:
    """Whether a "No ..." opening of the clause reaches the mention at ``position``.

    It does not reach past a number, nor into a run-together new item ("... or
    cirrhosis Bilirubin no greater than 2 x ULN", "No heart failure* LVEF at least 50%").
    """
    start = _clause_start(text, position)
    opening = _NEGATED_CLAUSE.match(text[start:position])
    if not opening:
        return bool(_NOT_BEFORE.search(text[max(0, position - 12) : position]))
    between = text[start + opening.end() : position]
    # A capitalised mention ("Bilirubin", "LVEF") right after a lower-case word or a footnote mark starts a new item.
    new_item = text[position : position + 1].isupper() and text[position + 1 : position + 2].isalpha()
    return not (_DIGIT.search(between) or (new_item and (between[-2:-1].islower() or between.rstrip().endswith("*"))))


@functools.lru_cache(maxsize=4096)
def _kind(mention: str) -> str:
    """The measure a matched mention names, or 'stop' for another lab value."""
    return next((name for name, pattern in _MENTION_PATTERNS.items() if pattern.fullmatch(mention)), "stop")


def _locate(text: str, found: list[str]) -> list[tuple[str, int, int]]:
    """(measure, start, end) of each mention polars found, in order (its positions, found again)."""
    mentions = []
    position = 0
    for mention in found:
        start = text.find(mention, position)
        while start >= 0:
            end = start + len(mention)
            # A whole word found is the match itself; inside a word ("ALT" in "ALTERNATIVE"), ask the pattern.
            whole_word = not (start and text[start - 1].isalnum()) and not (end < len(text) and text[end].isalnum())
            if whole_word or ((match := _MENTION.match(text, start)) and match.group(0) == mention):
                break
            start = text.find(mention, start + 1)
        if start < 0:
            continue
        position = start + len(mention)
        mentions.append((_kind(mention), start, position))
    return mentions


def _readings(text: str, mentions: list[tuple[str, int, int]]) -> list[_Reading]:
    # "< 75,000 platelets/mm3": a count's name used as its unit, read number-first; no mention of its own.
    readings: list[_Reading] = []
    kept = []
    for measure, start, end in mentions:
        if not (_MENTION_AS_UNIT.match(text, end) and _DIGIT_BEFORE.search(text, max(0, start - 3), start)):
            kept.append((measure, start, end))
        elif measure in COUNT_MEASURES:
            readings.extend(_count_first(text, measure, start, end))
    mentions = kept
    for index, (measure, start, end) in enumerate(mentions):
        if measure == "stop":
            continue
        # "creatinine and/or BUN ≥ 1.5 x ULN", "SGOT or SGPT < 3 x ULN": the value after the last mention counts.
        reach_from, following = end, index + 1
        while (
            following < len(mentions)
            and (
                measure not in SCALES
                or {measure, mentions[following][0]} <= {"karnofsky", "lansky"}
                or mentions[following][0] == measure
            )
            and _CONJUNCTION.fullmatch(text, reach_from, mentions[following][1])
        ):
            reach_from = mentions[following][2]
            following += 1
        limit = mentions[following][1] if following < len(mentions) else len(text)
        reach_to = min(limit, reach_from + _REACH)
        if not (_DIGIT.search(text, reach_from, reach_to) or _HAS_VALUE.search(text, reach_from, reach_to)):
            if measure in ("lvef", "shortening_fraction"):
                readings.extend(_percent_first(text, measure, start, end))
            continue
        if measure == "ecog" and text.startswith("WHO", start) and not _WHO_SCORE.match(text, end):
            continue
        veto = _VETO_BEFORE.get(measure)
        before = text[max(0, start - 30) : start]
        if veto and veto.search(before) and not _EITHER_BEFORE.search(before):
            continue
        veto = _VETO_AFTER.get(measure)
        if veto and veto.match(text, end):
            continue
        before = text[max(0, start - 40) : start]
        if _CONDITION_BEFORE.search(before) and not _ELIGIBLE_IF.search(before):
            continue  # "if creatinine > ULN, ...": the measure only conditions another rule
        clause = _clause_start(text, start)
        if measure == "age" and (_age_vetoed(text, start, clause) or _AGE_AS_UNIT.search(text[max(0, start - 20) : start])):
            continue
        negated = _negated(text, start)
        # "under the age of 18", "minimum age of 18": the comparison comes before the mention.
        preceding = None
        if measure == "age":
            window = max(clause, start - 30)
            found_before = _PREV_COMPARATOR.search(text[window:start])
            if found_before:
                preceding = (_comparison(found_before, usual="min") or "ge", window + found_before.start())
        found = _read_mention(text, measure, start, reach_from, limit, negated=negated, preceding=preceding)
        aside = _ASIDE.match(text, reach_from)
        if found is None and aside:
            # "Karnofsky (16-17 years) < 50%": the value follows the aside
            found = _read_mention(text, measure, start, aside.end(), limit, negated=negated, preceding=preceding)
        if found is not None:
            readings.extend(found)
    return readings


def extract(text: str, section: str = "inclusion") -> list[Fact]:
    """The facts of one criterion. ``section`` is 'inclusion' or 'exclusion' (exclusions are turned around)."""
    if not text:
        return []
    mentions = [(_kind(m.group(0)), m.start(), m.end()) for m in _MENTION.finditer(text)]
    return _facts(text, section, mentions, age_first=bool(_AGE_FIRST_HINT.search(text)))


def _facts(text: str, section: str, mentions: list[tuple[str, int, int]], *, age_first: bool) -> list[Fact]:
    """The facts of one criterion, given its mentions and whether it may state an age number-first."""
    readings = _readings(text, mentions)
    if age_first:
        taken = [(r.start, r.end) for r in readings if r.measure == "age"]
        for reading in _age_first_readings(text):
            if not any(s <= reading.start < e or reading.start <= s < reading.end for s, e in taken):
                readings.append(reading)
    section_flip = section == "exclusion"
    candidates = [
        # An illness "that would limit survival to under 2 years" is always the one excluded, whether the list
        # says "No ..." in words the parser sees or not: the survival it leaves is a minimum.
        (reading, "min" if _LIMITS_SURVIVAL.match(text, reading.start) else bound, value)
        for reading in sorted(readings, key=lambda r: r.start)
        for bound, value in _eligible(reading, section_flip)
    ]
    # The general case wins: a sub-group's bound counts only for a measure with no general bound, and
    # an age at diagnosis only where no age at entry gives that bound.
    general_measures = {reading.measure for reading, _, _ in candidates if not reading.qualified}
    general_bounds = {(reading.measure, bound) for reading, bound, _ in candidates if not reading.qualified}
    chosen: dict[tuple[str, str, str], Fact] = {}
    for reading, bound, value in candidates:
        low, high = SANE[(reading.measure, reading.unit)]
        key = (reading.measure, bound, reading.unit)
        superseded = key[:2] in general_bounds if reading.at_diagnosis else reading.measure in general_measures
        if key in chosen or (reading.qualified and superseded) or not low <= value <= high:
            continue
        span = text[reading.start : reading.end].strip()
        chosen[key] = Fact(reading.measure, bound, round(value, 6), reading.unit, reading.start, reading.end, span)
    return sorted(chosen.values(), key=lambda f: (f.start, f.measure, f.bound))


FACT_SCHEMA = {
    "criterion_id": pl.Int64,
    "measure": pl.Utf8,
    "bound": pl.Utf8,
    "value": pl.Float64,
    "unit": pl.Utf8,
    "span": pl.Utf8,
}


def extract_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per fact for a frame of criteria (criterion_id, section, text).

    polars finds every mention in the whole column at once; only the criteria that
    mention a measure (or state an age number-first) and hold a number, "normal"
    or "ULN" reach the per-string parser.
    """
    candidates = (
        frame.select("criterion_id", "section", "text")
        .filter(pl.col("section").is_in(["inclusion", "exclusion"]) & pl.col("text").str.contains(f"(?-u){VALUE_HINT}"))
        .with_columns(
            pl.col("text").str.extract_all(f"(?-u){MENTION_PATTERN}").alias("mentions"),
            pl.col("text").str.contains(_compact(AGE_FIRST_HINT)).alias("age_first"),
        )
        .filter((pl.col("mentions").list.len() > 0) | pl.col("age_first"))
    )
    rows = []
    for criterion_id, section, text, found, age_first in candidates.iter_rows():
        try:
            facts = _facts(text, section, _locate(text, found), age_first=age_first)
        except Exception:  # a parser bug costs one criterion its facts, never the ingest
            continue
        rows.extend((criterion_id, f.measure, f.bound, f.value, f.unit, f.span) for f in facts)
    return pl.DataFrame(rows, schema=FACT_SCHEMA, orient="row")

"""Exclusion-theme classifier: tags each exclusion criterion with the themes it is about.

The taxonomy, its cue patterns, the context rules and the qualifiers that make an
exclusion conditional live in `themes_rules.toml` so a researcher can read and edit
them; this module only loads those rules and applies them to a whole column of
criteria at once with polars regular expressions and joins (no per-item loop).

Context is optional columns of the input: `heading` and `parent_text` (the list
heading or parent item a criterion sits under), `study_title` and
`study_conditions` (the study's own, conditions joined by "; "). Without them a criterion is classified on its text alone.
"""

from __future__ import annotations

import bz2
import functools
import importlib.util
import pickle
import re
import tomllib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from eligibility.build.literals import required_literals

RULES_PATH = Path(__file__).with_name("themes_rules.toml")

# Masked phrases are replaced by this character, which no cue matches as a word,
# so a cue can neither match inside a masked phrase nor run across one.
_MASK = "\x00"
CONTEXT_COLUMNS = ("heading", "parent_text", "study_title", "study_conditions")
# The package whose drug dictionary (DrugBank, MeSH, NHS, Medline Plus names; MIT
# licence) becomes the drug lexicon; see README "Drug lexicon".
LEXICON_PACKAGE = "drug_named_entity_recognition"
OUTPUT_SCHEMA = {"criterion_id": pl.Int64, "theme": pl.Utf8, "cue": pl.Utf8, "conditional": pl.Boolean, "qualifier": pl.Utf8}


@dataclass(frozen=True)
class ThemeRule:
    """One theme of the taxonomy and the patterns that detect it."""

    id: str
    label: str
    description: str
    cues: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()

    @property
    def is_fallback(self) -> bool:
        """The theme without cues (`other`) is what a criterion gets when nothing fits."""
        return not self.cues

    @property
    def cue_patterns(self) -> list[str]:
        return _cue_patterns(self.cues)

    @property
    def ignore_patterns(self) -> list[str]:
        return _ignore_patterns(self.ignore)

    @property
    def unless_pattern(self) -> str:
        return _ascii_words(rf"(?i)\b(?:{'|'.join(self.unless)})")


@dataclass(frozen=True)
class QualifierKind:
    """One kind of qualifier that makes an exclusion conditional, and the themes it does not qualify.

    With `only_for`, it qualifies those themes alone. With `before_blanks`, it is searched in the text as
    written, before the phrases of `[conditional.blank]` are blanked (which may remove the words it needs).
    With `requires`, it counts only in a text (or clause) that also matches that pattern."""

    kind: str
    pattern: str
    not_for: frozenset[str] = frozenset()
    only_for: frozenset[str] = frozenset()
    before_blanks: bool = False
    requires: str = ""


@dataclass(frozen=True)
class Taxonomy:
    """The whole rules file: themes in order, context rules, qualifiers and the drug lexicon's settings."""

    themes: tuple[ThemeRule, ...]
    headers: tuple[str, ...] = ()
    window_header: str = ""
    medication_heading: str = ""
    other_cancer: str = ""
    set_apart: str = ""
    not_inherited: frozenset[str] = frozenset()
    # (condition, finding) pattern pairs of `[[context.system]]`: a body system the study's conditions or title
    # name, and the words of a finding in that system.
    body_systems: tuple[tuple[str, str], ...] = ()
    # The `text_alone` patterns of `[[context.system]]`: findings taken as the studied disease's when a criterion comes
    # with no study title or conditions at all (registry trials exclude them almost only when they study that system).
    text_alone_findings: tuple[str, ...] = ()
    condition_stopwords: frozenset[str] = frozenset()
    # (theme, cue pattern, added theme) of `[[also]]`: a cue of `theme` that matches the pattern also gives the added theme.
    also: tuple[tuple[str, str, str], ...] = ()
    qualifiers: tuple[QualifierKind, ...] = ()
    not_qualifiers: tuple[str, ...] = ()
    lexicon_theme: str = ""
    lexicon_exclude: frozenset[str] = frozenset()
    lexicon_min_length: int = 5
    lexicon_terms: frozenset[str] = field(default=frozenset(), compare=False)

    def __iter__(self):
        return iter(self.themes)

    @property
    def fallback(self) -> ThemeRule:
        return next(rule for rule in self.themes if rule.is_fallback)

    def theme(self, theme_id: str) -> ThemeRule:
        return next(rule for rule in self.themes if rule.id == theme_id)


@functools.cache
def _cue_patterns(cues: tuple[str, ...]) -> list[str]:
    return [_word_pattern(group) for group in _cue_groups(cues)]


@functools.cache
def _ignore_patterns(ignore: tuple[str, ...]) -> list[str]:
    # One pattern per entry: joined into one alternation, the regex engine's
    # automaton outgrows its cache and masking runs several times slower.
    return [_ascii_words(rf"(?i)\b(?:{entry})") for entry in ignore]


def _word_pattern(body: str) -> str:
    # Group 1 is the cue itself; the delimiters around it stand in for word
    # boundaries that also work for cues beginning or ending with a symbol (Ph+,
    # "age>" followed by a digit). A hyphen before the cue joins it to the previous
    # word, so that "CSF" is not found in "G-CSF" nor "HIV" in "anti-HIV"; a single
    # B or T before the hyphen is a lineage prefix ("B-lymphoblastic") and is allowed.
    return _ascii_words(rf"(?i)(?:^|[^\w-]|(?:^|[^\w-])[btBT]-)({body})(?:\W|$|(?-u:\b))")


def _cue_groups(cues: tuple[str, ...]) -> list[str]:
    r"""Cue entries joined into as few regexes as stay fast.

    Plain word lists share one regex (one scan of the text). An entry with a bounded
    repetition such as (?:\w+\s+){0,4} keeps its own: joined with others, the regex
    engine's automaton outgrows its cache and the scan runs several times slower.
    """
    plain = [cue for cue in cues if "{" not in cue]
    repeated = [cue for cue in cues if "{" in cue]
    return (["|".join(plain)] if plain else []) + repeated


def _ascii_words(pattern: str) -> str:
    r"""Make \w and \W ASCII-only, as the rules file documents.

    Unicode word classes under case-insensitivity make the regex engine's automaton
    too large to cache, which slows classification some thirty-fold; the criteria are
    English, so letters outside ASCII never need to count as word characters. Inside
    a character class the replacement nests (`[^\w-]` -> `[^[0-9A-Za-z_]-]`), which
    Rust's regex syntax allows.
    """
    return _ESCAPED_WORD_CLASS.sub(lambda m: m[1] + _ASCII_CLASS[m[2]], pattern)


_ASCII_CLASS = {"w": "[0-9A-Za-z_]", "W": "[^0-9A-Za-z_]"}
# \w or \W preceded by an even number of backslashes (so not an escaped "\\w").
_ESCAPED_WORD_CLASS = re.compile(r"((?<!\\)(?:\\\\)*)\\([wW])")


def load_rules(path: Path | None = None, *, lexicon: bool = True) -> Taxonomy:
    """Read the taxonomy from TOML, in file order, checking every pattern compiles."""
    path = path or RULES_PATH
    with path.open("rb") as handle:
        try:
            raw = tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not valid TOML: {exc}") from exc
    rules = []
    for index, entry in enumerate(raw.get("theme", []), start=1):
        try:
            rule = ThemeRule(
                id=entry["id"],
                label=entry["label"],
                description=entry["description"],
                cues=tuple(entry.get("cues", ())),
                ignore=tuple(entry.get("ignore", ())),
                unless=tuple(entry.get("unless", ())),
                weak=tuple(entry.get("weak", ())),
            )
        except KeyError as exc:
            raise ValueError(f"{path}: theme #{index} lacks the key {exc}") from exc
        _check_patterns(
            path, f"theme {rule.id!r}", {"cues": rule.cues, "ignore": rule.ignore, "unless": rule.unless, "weak": rule.weak}
        )
        rules.append(rule)
    rules = _with_shared_ignore(path, rules, raw.get("shared_ignore", []))
    fallbacks = [rule.id for rule in rules if rule.is_fallback]
    if len(fallbacks) != 1:
        raise ValueError(f"{path}: need exactly one theme without cues, found {fallbacks}")
    if len({rule.id for rule in rules}) != len(rules):
        raise ValueError(f"{path}: theme ids are not unique")
    context, conditional, drugs = raw.get("context", {}), raw.get("conditional", {}), raw.get("lexicon", {})
    _check_patterns(
        path,
        "[context]/[conditional]",
        {
            "headers": tuple(context.get("headers", ())),
            "window_header": tuple(filter(None, [context.get("window_header", "")])),
            "medication_heading": tuple(filter(None, [context.get("medication_heading", "")])),
            "other_cancer": tuple(filter(None, [context.get("other_cancer", "")])),
            "set_apart": tuple(filter(None, [context.get("set_apart", "")])),
            "system": tuple(
                pattern for system in context.get("system", ()) for pattern in (system["condition"], system["finding"])
            ),
            "also": tuple(entry.get("cue", "") for entry in raw.get("also", ())),
            "qualifiers": tuple(kind.get("pattern", "") for kind in conditional.get("kind", ())),
            "requires": tuple(kind["requires"] for kind in conditional.get("kind", ()) if kind.get("requires")),
            "not_qualifiers": tuple(conditional.get("blank", {}).get("phrases", ())),
        },
    )
    taxonomy = Taxonomy(
        themes=tuple(rules),
        headers=tuple(context.get("headers", ())),
        window_header=context.get("window_header", ""),
        medication_heading=context.get("medication_heading", ""),
        other_cancer=context.get("other_cancer", ""),
        set_apart=context.get("set_apart", "^$"),
        not_inherited=frozenset(context.get("not_inherited", ())),
        body_systems=tuple((system["condition"], system["finding"]) for system in context.get("system", ())),
        text_alone_findings=tuple(system["text_alone"] for system in context.get("system", ()) if system.get("text_alone")),
        condition_stopwords=frozenset(word.lower() for word in context.get("condition_stopwords", ())),
        also=tuple((entry.get("theme", ""), entry.get("cue", ""), entry.get("adds", "")) for entry in raw.get("also", ())),
        qualifiers=tuple(
            QualifierKind(
                kind=kind["kind"],
                pattern=kind["pattern"],
                not_for=frozenset(kind.get("not_for", ())),
                only_for=frozenset(kind.get("only_for", ())),
                before_blanks=bool(kind.get("before_blanks", False)),
                requires=kind.get("requires", ""),
            )
            for kind in conditional.get("kind", ())
        ),
        not_qualifiers=tuple(conditional.get("blank", {}).get("phrases", ())),
        lexicon_theme=drugs.get("theme", ""),
        lexicon_exclude=frozenset(word.lower() for word in drugs.get("exclude", ())),
        lexicon_min_length=int(drugs.get("min_length", 5)),
    )
    ids = {rule.id for rule in rules}
    for index, (theme, cue, adds) in enumerate(taxonomy.also, start=1):
        if theme not in ids or adds not in ids or not cue:
            raise ValueError(f"{path}: [[also]] #{index} needs a theme, a cue pattern and a theme it adds, all known")
    if taxonomy.lexicon_theme and taxonomy.lexicon_theme not in ids:
        raise ValueError(f"{path}: [lexicon] theme {taxonomy.lexicon_theme!r} is not a theme id")
    if lexicon and taxonomy.lexicon_theme:
        taxonomy = _with_lexicon(taxonomy)
    return taxonomy


def _with_shared_ignore(path: Path, rules: list[ThemeRule], shared: list[dict]) -> list[ThemeRule]:
    """The themes with each `[[shared_ignore]]` pattern put first in the ignore list of the themes it names."""
    ids = {rule.id for rule in rules}
    for index, entry in enumerate(shared, start=1):
        pattern, themes = entry.get("pattern"), entry.get("themes", [])
        if not isinstance(pattern, str) or not themes:
            raise ValueError(f"{path}: shared_ignore #{index} needs a pattern and a list of themes")
        unknown = sorted(set(themes) - ids)
        if unknown:
            raise ValueError(f"{path}: shared_ignore #{index} names unknown themes {unknown}")
        _check_patterns(path, f"shared_ignore #{index}", {"pattern": (pattern,)})
    # Shared patterns come first, in file order, before a theme's own ignore phrases.
    return [
        replace(rule, ignore=(*[entry["pattern"] for entry in shared if rule.id in entry["themes"]], *rule.ignore))
        for rule in rules
    ]


@functools.cache
def default_rules() -> Taxonomy:
    # Reading and checking the rules compiles every pattern and loads the drug
    # lexicon; explain() on one criterion at a time would otherwise pay that each call.
    return load_rules()


def _check_patterns(path: Path, where: str, groups: dict[str, tuple[str, ...]]) -> None:
    # polars uses Rust's regex engine (no look-around, no back-references), so the
    # patterns are checked with it rather than with Python's `re`.
    for kind, patterns in groups.items():
        for pattern in patterns:
            try:
                pl.select(pl.lit("").str.contains(_ascii_words(f"(?i)(?:{pattern})")))
            except pl.exceptions.ComputeError as exc:
                raise ValueError(f"{path}: {where}, {kind} pattern {pattern!r}: {exc}") from exc


# --- drug lexicon -------------------------------------------------------------------

_TOKEN = r"[a-z0-9]+"


def _package_drug_names() -> list[str]:
    """Every generic drug name of the lexicon package (lower case), as it ships them."""
    # The file is located without importing the package: its import loads the package's
    # own matching tables, which takes several seconds that the lexicon does not need.
    spec = importlib.util.find_spec(LEXICON_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"the drug lexicon package {LEXICON_PACKAGE!r} is not installed (requirements.txt)")
    resource = Path(next(iter(spec.submodule_search_locations))) / "drug_ner_dictionary.pkl.bz2"
    with resource.open("rb") as handle:
        # The package's own data file, installed from PyPI at a pinned version.
        dictionary = pickle.loads(bz2.decompress(handle.read()))
    brands = {name for name, data in dictionary["drug_variant_to_variant_data"].items() if data.get("is_brand")}
    return [name for name in dictionary["drug_canonical_to_data"] if name not in brands]


def _with_lexicon(taxonomy: Taxonomy) -> Taxonomy:
    """The taxonomy with its drug lexicon: generic names of one or two words, none a cue of another theme.

    A name that another theme's cue already matches ("creatinine", "thyroid",
    "oxygen") is a measurement or a condition more often than a drug, so it is left
    to that theme.
    """
    # Criteria are cut into words at hyphens too ("trimethoprim-sulfamethoxazole"),
    # so the names are: a hyphen in a name becomes a space.
    names = pl.Series("name", _package_drug_names(), dtype=pl.Utf8).str.replace_all("-", " ").unique()
    names = names.filter(
        names.str.contains(rf"^[a-z]{_TOKEN}(?: {_TOKEN})?$")
        & (names.str.len_chars() >= taxonomy.lexicon_min_length)
        & ~names.is_in(list(taxonomy.lexicon_exclude))
    )
    claimed = pl.lit(False)
    for rule in taxonomy.themes:
        if rule.cues and rule.id != taxonomy.lexicon_theme:
            for pattern in rule.cue_patterns:
                claimed = claimed | pl.col("name").str.contains(pattern)
    kept = names.to_frame().filter(~claimed)["name"]
    return Taxonomy(**{**taxonomy.__dict__, "lexicon_terms": frozenset(kept.to_list())})


@functools.cache
def _lexicon_words(terms: frozenset[str]) -> list[str]:
    return sorted(terms)


@functools.cache
def _lexicon_frame(terms: frozenset[str]) -> pl.DataFrame:
    return pl.DataFrame({"token": _lexicon_words(terms)})


# Above this many rows, one Aho-Corasick pass (whose automaton of every drug name takes
# about a tenth of a second to build) picks the rows worth cutting into words; below
# it, cutting every row is cheaper. Either way the result is the same.
_LEXICON_PREFILTER_ROWS = 10_000


def _lexicon_cue(frame: pl.DataFrame, text: str, terms: frozenset[str]) -> pl.DataFrame:
    """Per `_row` of `frame`, the first drug name of the lexicon found in column `text` (`lexicon_cue`)."""
    if not terms or frame.is_empty():
        return frame.select("_row", lexicon_cue=pl.lit(None, dtype=pl.Utf8))
    lexicon = _lexicon_frame(terms)
    # The criteria are cut into words and joined to the lexicon on whole words; in a
    # large frame, one Aho-Corasick pass first picks the few that hold a name at all.
    candidates = frame.lazy()
    if frame.height > _LEXICON_PREFILTER_ROWS:
        # A name is found as consecutive words of a row, whatever punctuation is between them
        # ("alpha-interferon (alpha-IFN)" holds "interferon alpha"), so the rows are searched
        # with their words joined by single spaces.
        words = pl.col(text).str.to_lowercase().str.replace_all(r"[^a-z0-9]+", " ")
        candidates = candidates.filter(words.str.contains_any(_lexicon_words(terms)))
    tokens = (
        candidates.select("_row", token=pl.col(text).str.to_lowercase().str.extract_all(_TOKEN))
        .explode("token")
        .drop_nulls("token")
        .with_columns(position=pl.int_range(pl.len()).over("_row"))
    )
    pairs = tokens.with_columns(token=pl.col("token") + " " + pl.col("token").shift(-1).over("_row")).drop_nulls("token")
    found = (
        pl.concat([pairs, tokens])
        .join(lexicon.lazy(), on="token", how="semi")
        .sort("_row", "position", pl.col("token").str.len_chars(), descending=[False, False, True])
        .group_by("_row", maintain_order=True)
        .agg(lexicon_cue=pl.col("token").first())
    )
    return frame.lazy().select("_row").join(found, on="_row", how="left").collect()


# --- which criteria a pattern could match ---------------------------------------------


# LATIN SMALL LETTER LONG S, which matches "s" case-insensitively and is lower case already.
_LONG_S = "\u017f"


class _Routes:
    """Per pattern, the rows of a frame that hold one of the pattern's required literal words.

    One Aho-Corasick pass over the (lower-cased) column finds every required word of
    every pattern the classifier may run (see `literals`); a pattern is then searched
    only in its rows. A row outside them cannot match, so the results are those of
    searching every row. Under case-insensitive matching a cue's "k" also matches the
    Kelvin sign and its "s" the long s, the only letters outside ASCII that fold to one
    inside it (`tests/test_theme_routing.py` checks every code point): lower-casing turns
    the Kelvin sign into "k", and the long s is made "s", so those rows are routed too.
    Rows with text outside ASCII are worth routing: searching them is several times slower
    (a Unicode word boundary, `\b`, takes the regex engine off its fastest automaton).
    """

    def __init__(self, frame: pl.DataFrame, column: str, patterns: tuple[str, ...]) -> None:
        words = _route_words(patterns)
        self._ids = {pattern: index for index, pattern in enumerate(patterns)}
        self._rows: dict[int, pl.Series] = {}
        if frame.is_empty() or words.is_empty():
            return
        rows = frame.select("_row", text=pl.col(column))
        folded = pl.col("text").str.to_lowercase().str.replace_all(_LONG_S, "s", literal=True)
        found = (
            rows.lazy()
            .select("_row", word=folded.str.extract_many(_word_list(patterns), overlapping=True))
            .explode("word")
            .join(words.lazy(), on="word")
            .group_by("pattern")
            .agg(pl.col("_row").unique())
            .collect()
        )
        self._rows = dict(zip(found["pattern"].to_list(), found["_row"], strict=True))

    def rows(self, pattern: str) -> pl.Series | None:
        """The rows (`_row` values) where `pattern` could match; None when that is every row."""
        if required_literals(pattern) is None:
            return None
        rows = self._rows.get(self._ids[pattern])
        return pl.Series("_row", [], dtype=pl.UInt32) if rows is None else rows


@functools.cache
def _route_words(patterns: tuple[str, ...]) -> pl.DataFrame:
    """(word, pattern) for every required literal word of each pattern that has them, the pattern by its index."""
    pairs = [(word, index) for index, pattern in enumerate(patterns) for word in required_literals(pattern) or ()]
    return pl.DataFrame(pairs, schema={"word": pl.Utf8, "pattern": pl.UInt32}, orient="row")


@functools.cache
def _word_list(patterns: tuple[str, ...]) -> list[str]:
    return sorted(_route_words(patterns)["word"].unique())


@functools.cache
def _routed_patterns(taxonomy: Taxonomy) -> tuple[str, ...]:
    """Every cue group, ignore entry and qualifier the classifier searches criteria for, as written."""
    patterns: list[str] = []
    for rule in taxonomy.themes:
        patterns += _cue_chunks(rule.cues) + _cue_chunks(rule.weak) + list(rule.ignore)
    patterns += [kind.pattern for kind in taxonomy.qualifiers]
    patterns += taxonomy.not_qualifiers
    return tuple(dict.fromkeys(patterns))


def _search_possible(
    frame: pl.DataFrame,
    routes: _Routes | None,
    pattern: str,
    column: str,
    search: Callable[[pl.Expr], pl.Expr],
    name: str,
    *,
    keep: bool = False,
    dtype: type[pl.DataType] = pl.Utf8,
    key: str = "_row",
) -> pl.DataFrame:
    """`frame` with column `name` = `search(column)` in the rows where `pattern` could match, in frame order.

    `key` is the column of `frame` that holds the ids `routes` was built on. Elsewhere `name` is null;
    with `keep` (a replacement written back to `column` itself) the column is unchanged."""
    rows = routes.rows(pattern) if routes is not None else None
    if rows is None:
        return frame.with_columns(search(pl.col(column)).alias(name))
    index = frame.select(pl.col(key).is_in(rows.implode()).arg_true()).to_series() if len(rows) else rows.clear()
    if not len(index):
        return frame if keep else frame.with_columns(pl.lit(None, dtype=dtype).alias(name))
    result = frame.get_column(column).clone() if keep else pl.repeat(None, frame.height, dtype=dtype, eager=True)
    result.scatter(index, frame.select(search(pl.col(column).gather(index))).to_series())
    return frame.with_columns(result.alias(name))


# --- classification -------------------------------------------------------------------


def _with_first_cue(
    frame: pl.DataFrame, text: str, rule: ThemeRule, name: str = "cue", routes: _Routes | None = None
) -> pl.DataFrame:
    """`frame` with column `name`: a cue of `rule` found in column `text` (from the first cue group that
    matches), or null. Each cue group after the first searches only the rows the groups before it left
    without a cue (a theme with many groups scans far less text), and each group only the rows that hold
    one of its literal words (`routes`).
    Rows come back grouped by the cue group that matched, those without a cue last."""
    pending = frame
    matched = []
    for group, pattern in zip(_cue_groups(rule.cues), rule.cue_patterns, strict=True):
        chunks = _group_chunks(group)
        if len(chunks) > 1:
            pending = _search_leftmost(pending, routes, chunks, text, name)
        else:
            pending = _search_possible(pending, routes, group, text, _extractor(pattern), name)
        if pending.get_column(name).null_count() == pending.height:
            continue
        found = pl.col(name).is_not_null()
        matched.append(pending.filter(found))
        pending = pending.filter(~found)
    if name not in pending.columns:
        pending = pending.with_columns(pl.lit(None, dtype=pl.Utf8).alias(name))
    return pl.concat([*matched, pending])


def _search_leftmost(frame: pl.DataFrame, routes: _Routes | None, chunks: tuple[str, ...], text: str, name: str) -> pl.DataFrame:
    """`frame` with column `name`: what the cue group the `chunks` were cut from extracts from column `text`.

    Each chunk is searched on its own (in the rows that hold one of its words), and where several match, the
    one whose match starts first is taken, the earlier chunk on a tie: that is the match of the whole group,
    whose alternatives are tried in order at the leftmost position where any of them matches."""
    names = [f"{name}_{index}" for index in range(len(chunks))]
    for chunk, column in zip(chunks, names, strict=True):
        frame = _search_possible(frame, routes, chunk, text, _extractor(_word_pattern(chunk)), column)
    hits = pl.sum_horizontal(pl.col(column).is_not_null() for column in names)
    several = frame.select((hits > 1).arg_true()).to_series()
    result = frame.select(pl.coalesce(names)).to_series().alias(name)
    if len(several):
        tied = frame.select(pl.col(text).gather(several))
        starts = tied.select(pl.col(text).str.find(_word_pattern(chunk)).alias(str(index)) for index, chunk in enumerate(chunks))
        first = starts.select(pl.concat_list(pl.all()).list.arg_min()).to_series()
        values = frame.select(pl.concat_list(pl.col(names).gather(several))).to_series()
        result.scatter(several, values.list.get(first))
    return frame.drop(names).with_columns(result)


def _group_chunks(group: str) -> tuple[str, ...]:
    """A long cue group cut into chunks of whole alternatives, each under `_CHUNK_CHARS` characters if it can be.

    The regex engine's fast automaton keeps a cache of its states; one long alternation of words under
    case-insensitivity outgrows it, and the search slows several-fold (the prior-therapy group: 0.63 s over the
    demo's texts whole, 0.18 s in two chunks). `_search_leftmost` puts the chunks' matches back together."""
    if len(group) <= _CHUNK_CHARS:
        return (group,)
    alternatives = _top_level_alternatives(group)
    count = -(-len(group) // _CHUNK_CHARS)
    size = -(-len(alternatives) // count)
    return tuple("|".join(alternatives[start : start + size]) for start in range(0, len(alternatives), size))


_CHUNK_CHARS = 3000


def _cue_chunks(cues: tuple[str, ...]) -> list[str]:
    """Every chunk of every cue group of `cues`, in order: what is searched when any cue will do."""
    return [chunk for group in _cue_groups(cues) for chunk in _group_chunks(group)]


@functools.cache
def _top_level_alternatives(pattern: str) -> list[str]:
    """`pattern`'s alternatives outside any group or character class, as written."""
    alternatives, depth, start, index = [], 0, 0, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index += 2 if pattern[index + 1 : index + 2] == "^" else 1
            index += 1 if pattern[index : index + 1] == "]" else 0
            while pattern[index] != "]":
                index += 2 if pattern[index] == "\\" else 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            alternatives.append(pattern[start:index])
            start = index + 1
        index += 1
    return [*alternatives, pattern[start:]]


def _extractor(pattern: str) -> Callable[[pl.Expr], pl.Expr]:
    return lambda column: column.str.extract(pattern, 1)


def _masker(pattern: str) -> Callable[[pl.Expr], pl.Expr]:
    return lambda column: column.str.replace_all(pattern, _MASK)


def _blanker(pattern: str) -> Callable[[pl.Expr], pl.Expr]:
    # A blank phrase's `keep` group is context that stays; without one, `${keep}` is empty.
    return lambda column: column.str.replace_all(pattern, "${keep}" + _MASK)


def _unmasked_cues(found: pl.DataFrame) -> pl.DataFrame:
    """Cues found again in the masked text, in the criterion's own words.

    A cue is shown and exported as the text that matched, so a masked phrase inside one is read back from
    the criterion, and one that ends it is left out. Few rows have one; they are mended one by one.
    """
    has_mask = pl.col("cue").str.contains(_MASK, literal=True).fill_null(False)
    if not found.select(has_mask.any()).item():
        return found
    mended = [_unmasked_cue(cue, text) for cue, text in found.filter(has_mask).select("cue", "text").iter_rows()]
    return pl.concat([found.filter(~has_mask), found.filter(has_mask).with_columns(cue=pl.Series(mended, dtype=pl.Utf8))])


def _unmasked_cue(cue: str, text: str) -> str:
    cue = cue.strip(_MASK + " ")
    if _MASK not in cue:
        return cue
    # the masked text had brackets as spaces: any run of spaces and brackets stands for a space
    parts = [r"[\s()\[\]{}]*".join(re.escape(word) for word in part.split()) for part in cue.split(_MASK)]
    spanned = re.search(".+?".join(parts), text, re.IGNORECASE | re.DOTALL)
    return spanned.group(0) if spanned else cue.split(_MASK, 1)[0].strip()


def _tester(pattern: str) -> Callable[[pl.Expr], pl.Expr]:
    return lambda column: column.str.contains(pattern)


def _with_lexicon_cue(found: pl.DataFrame, text: str, taxonomy: Taxonomy) -> pl.DataFrame:
    """Fill a missing cue of the lexicon's theme with a drug name from `text`."""
    missing = found.filter(pl.col("cue").is_null())
    if missing.is_empty():
        return found
    names = _lexicon_cue(missing, text, taxonomy.lexicon_terms)
    filled = missing.drop("cue").join(names, on="_row", how="left").rename({"lexicon_cue": "cue"})
    # The drug name as written in the criterion, so the cue is always a substring of
    # it: its first case-insensitive occurrence. In ASCII text that is where the
    # lower-cased text holds the name (a string search; a regex per row would be
    # compiled once per name); other text keeps Unicode case folding.
    ascii_text = pl.col(text).str.len_bytes() == pl.col(text).str.len_chars()
    at = pl.col(text).str.to_lowercase().str.find(pl.col("cue"), literal=True)
    filled = pl.concat(
        [
            filled.filter(ascii_text).with_columns(cue=pl.col(text).str.slice(at, pl.col("cue").str.len_chars())),
            filled.filter(~ascii_text).with_columns(
                cue=pl.col(text).str.extract(pl.lit("(?i)(") + pl.col("cue") + pl.lit(")"), 1)
            ),
        ]
    )
    return pl.concat([found.filter(pl.col("cue").is_not_null()), filled.select(found.columns)])


def _apply_suppression(
    found: pl.DataFrame, rule: ThemeRule, taxonomy: Taxonomy, *, lexicon: bool, routes: _Routes | None
) -> pl.DataFrame:
    """Re-find the cue of `rule` with its ignored phrases masked, and drop `unless` matches."""
    uses_lexicon = lexicon and rule.id == taxonomy.lexicon_theme and bool(taxonomy.lexicon_terms)
    if rule.ignore:
        # Only criteria that contain an ignored phrase are searched again, as the
        # search of a text known to match is the costly part.
        # Brackets become spaces, so that "central nervous system (CNS) lymphoma"
        # is one phrase to an ignore entry written with word gaps.
        masked = found.with_columns(_plain=pl.col("text").str.replace_all(r"[()\[\]{}]", " "))
        masked = masked.with_columns(_masked=pl.col("_plain"))
        for entry, pattern in zip(rule.ignore, rule.ignore_patterns, strict=True):
            masked = _search_possible(masked, routes, entry, "_masked", _masker(pattern), "_masked", keep=True)
        changed = pl.col("_masked") != pl.col("_plain")
        again = (
            _with_first_cue(masked.filter(changed).drop("cue"), "_masked", rule, routes=routes)
            .select(masked.columns)
            .with_columns(_regex=pl.col("_regex") & pl.col("cue").is_not_null())
        )
        if uses_lexicon:
            again = _with_lexicon_cue(again, "_masked", taxonomy)
        found = pl.concat([masked.filter(~changed), _unmasked_cues(again)]).drop("_plain", "_masked")
    if rule.unless:
        found = found.filter(~pl.col("text").str.contains(rule.unless_pattern))
    return found.drop_nulls("cue")


def _prepare(items: pl.DataFrame) -> pl.DataFrame:
    """The input with every context column present (empty when not given) and a row number."""
    columns = [pl.col("criterion_id").cast(pl.Int64), pl.col("text").fill_null("")]
    for name in CONTEXT_COLUMNS:
        columns.append(pl.col(name).cast(pl.Utf8).fill_null("") if name in items.columns else pl.lit("").alias(name))
    frame = items.select(columns).with_row_index("_row")
    # Criteria with the same text share a `_text` id (the rank of the text in sort order).
    return frame.with_columns(_text=pl.col("text").rank("dense").cast(pl.UInt32) - 1)


def _stemmed_words(text: pl.Expr) -> pl.Expr:
    return text.str.to_lowercase().str.extract_all(r"[a-z][a-z0-9]{2,}")


def _stem(word: pl.Expr) -> pl.Expr:
    # Six letters tie "diabetic" to "diabetes" and "herniated" to "hernia", and
    # keep "hyperkalemia" apart from "hypertension".
    return word.str.slice(0, 6)


def _studied_disease(frame: pl.DataFrame, taxonomy: Taxonomy) -> pl.DataFrame:
    """Per `_row`, the criterion's words that name the studied disease (`shared`).

    The study's conditions name it; its title does when there are no conditions.
    """
    stop = list(taxonomy.condition_stopwords)
    named = (
        frame.lazy()
        .select("_row", "text", study=pl.when(pl.col("study_conditions") != "").then("study_conditions").otherwise("study_title"))
        .filter(pl.col("study") != "")
    )
    # A study's words are cut once per study, not once per criterion.
    studies = named.select("study").unique(maintain_order=True).with_row_index("_study")
    study = (
        studies.select("_study", word=_stemmed_words(pl.col("study")))
        .explode("word")
        .filter(~pl.col("word").is_in(stop))
        .select("_study", stem=_stem(pl.col("word")))
        .unique()
    )
    own = (
        named.join(studies, on="study", maintain_order="left")
        .select("_row", "_study", word=_stemmed_words(pl.col("text")))
        .explode("word")
        .filter(~pl.col("word").is_in(stop))
        .with_columns(stem=_stem(pl.col("word")))
    )
    # Every word of a stem the study shares is kept, so the first of them per
    # criterion and stem is the first in the criterion's word order, and the
    # shared words come in that order: the cue is the same on every run.
    return (
        own.join(study, on=["_study", "stem"], maintain_order="left")
        .unique(["_row", "stem"], keep="first", maintain_order=True)
        .group_by("_row", maintain_order=True)
        .agg(shared=pl.col("word"), stems=pl.col("stem"))
        .collect()
    )


def _apply_context(
    found: pl.DataFrame,
    frame: pl.DataFrame,
    taxonomy: Taxonomy,
    searched: pl.DataFrame | None = None,
    strong: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Headers stay `other`; medication headings add prior therapy; the studied disease is not another cancer.

    `searched` (`_parent`, `parent_text`) are texts already searched for cues, and `strong` (`_parent`, `theme`,
    `_regex`) what `_find` found in them with the drug lexicon: a parent item with one of these texts is not
    searched again."""
    columns = ["_row", "criterion_id", "text", "theme", "cue"]
    header = _ascii_words(f"(?i)^\\W*(?:{'|'.join(taxonomy.headers)})\\W*$") if taxonomy.headers else "^$"
    is_header = frame.filter(pl.col("text").str.contains(header)).select("_row")
    if taxonomy.headers:
        window = taxonomy.window_header and _ascii_words(f"(?i)(?:{taxonomy.window_header})")
        found = found.join(is_header, on="_row", how="anti")
        if window and taxonomy.lexicon_theme:
            windows = frame.join(is_header, on="_row").with_columns(cue=pl.col("text").str.extract(f"({window})", 1))
            found = pl.concat(
                [found, windows.drop_nulls("cue").select(columns[:3], theme=pl.lit(taxonomy.lexicon_theme), cue="cue")]
            )
    if taxonomy.medication_heading and taxonomy.lexicon_theme:
        heading = _ascii_words(f"(?i)({taxonomy.medication_heading})")
        # Only an item that no cue explains inherits the heading ("Foscarnet." under
        # "Prior Medication"); "Alcohol abuse." under the same heading keeps its own theme.
        under = (
            frame.join(found, on="_row", how="anti")
            .join(is_header, on="_row", how="anti")
            .with_columns(
                cue=pl.coalesce(pl.col("heading").str.extract(heading, 1), pl.col("parent_text").str.extract(heading, 1))
            )
            .drop_nulls("cue")
        )
        # The cue is left empty: it is not in the item's text, where it would be highlighted.
        found = pl.concat([found, under.select(columns[:3], theme=pl.lit(taxonomy.lexicon_theme), cue=pl.lit(""))])
    # An item that no cue explains takes the themes of the item it sits under
    # ("Higher risk behaviour for HIV infection, including:" -> infection). A
    # section heading is too loose a guide for that, beyond the medication lists
    # above. Consent is not passed down: a parent's "that would interfere with the
    # study" qualifies the list, it does not make each item a consent criterion.
    # Only the parents of items that nothing explains yet are searched.
    around = (
        frame.filter(pl.col("parent_text") != "")
        .join(found, on="_row", how="anti")
        .join(is_header, on="_row", how="anti")
        .select("_row", "criterion_id", text=pl.col("parent_text"))
    )
    if not around.is_empty():
        cued = {rule.id: rule for rule in taxonomy.themes if rule.cues and rule.id not in taxonomy.not_inherited}
        parts = []
        if searched is not None and strong is not None:
            # A parent's text that is also an item's text was searched with every theme already; its
            # themes without the drug lexicon are those `_regex` marks. Only other parents are searched.
            around = around.join(searched, left_on="text", right_on="parent_text", how="left")
            known = strong.filter(pl.col("theme").is_in(list(cued)) & pl.col("_regex")).select("_parent", "theme").unique()
            parts.append(around.drop_nulls("_parent").join(known, on="_parent").select("_row", "criterion_id", "theme"))
            around = around.filter(pl.col("_parent").is_null()).drop("_parent")
        if not around.is_empty():
            parents = _Routes(around, "text", _routed_patterns(taxonomy))
            parts.append(
                _find(around, cued, taxonomy, lexicon=False, routes=parents)
                .unique(["_row", "theme"], keep="first")
                .select("_row", "criterion_id", "theme")
            )
        inherited = pl.concat(parts).join(frame.select("_row", "text"), on="_row")
        found = pl.concat([found, inherited.select(columns[:4], cue=pl.lit(""))])
    apart = _ascii_words(f"(?i)\\b(?:{taxonomy.set_apart})")
    if ((frame["study_conditions"] != "") | (frame["study_title"] != "")).any():
        shared = _studied_disease(frame, taxonomy).join(is_header, on="_row", how="anti")
        # The studied cancer is not another one, unless the criterion says it is.
        cancer = found.filter(pl.col("theme") == "other_malignancy").join(shared, on="_row")
        if taxonomy.other_cancer:
            cancer = cancer.filter(~pl.col("text").str.contains(_ascii_words(f"(?i)\\b(?:{taxonomy.other_cancer})")))
        own_cancer = cancer.filter(pl.col("stems").list.contains(_stem(pl.col("cue").str.to_lowercase())))
        found = found.join(own_cancer.select("_row", "theme"), on=["_row", "theme"], how="anti")
        # A criterion that names the studied disease describes a feature of it when
        # nothing else explains it, or when the disease is what another theme's cue
        # named ("uncontrolled diabetes" in a diabetes trial). Not when it names a
        # treatment of the disease, or sets another condition apart from it.
        # In a trial of an infection, the infections a criterion names are other ones
        # (opportunistic, intercurrent), not features of the studied one; likewise a cancer
        # still `other_malignancy` here was set apart as another one ("multiple primary cancers").
        named = (
            found.filter(pl.col("theme") != "other_malignancy")
            .join(shared.explode("shared"), on="_row")
            .filter(pl.col("cue").str.to_lowercase().str.contains(pl.col("shared"), literal=True))
            .join(found.filter(pl.col("theme") == "infection"), on="_row", how="anti")
            .select("_row")
        )
        treated = found.filter(pl.col("theme") == taxonomy.lexicon_theme).select("_row")
        described = (
            shared.join(pl.concat([named, shared.join(found, on="_row", how="anti").select("_row")]), on="_row", how="semi")
            .join(treated, on="_row", how="anti")
            .join(frame.select(columns[:3]), on="_row")
            .filter(~pl.col("text").str.contains(apart))
        )
        found = pl.concat(
            [found, described.select(columns[:3], theme=pl.lit("disease_characteristics"), cue=pl.col("shared").list.first())]
        )
        found = pl.concat([found, _system_findings(found, frame, taxonomy, is_header, apart)])
    if taxonomy.text_alone_findings:
        found = pl.concat([found, _text_alone_findings(found, frame, taxonomy, is_header, apart)])
    return found.select(columns)


def _open_findings(found: pl.DataFrame, frame: pl.DataFrame, is_header: pl.DataFrame, apart: str) -> pl.DataFrame:
    """The criteria a body-system finding may describe: nothing else explains them, and none is a list header
    ("... the following ocular conditions:") or sets its finding apart from the studied disease."""
    return (
        frame.join(found, on="_row", how="anti")
        .join(is_header, on="_row", how="anti")
        .filter(~pl.col("text").str.contains(apart) & ~pl.col("text").str.strip_chars().str.ends_with(":"))
    )


def _text_alone_findings(
    found: pl.DataFrame, frame: pl.DataFrame, taxonomy: Taxonomy, is_header: pl.DataFrame, apart: str
) -> pl.DataFrame:
    """Criteria with no study title or conditions that nothing else explains and that name a finding of a body
    system's `text_alone` list (a disc herniation, spondylolisthesis): features of the studied disease, since
    registry trials exclude these almost only when they study that system. Not a list header, nor a finding set
    apart ("a spinal condition other than degenerative disc disease"); with the study's context, `_system_findings`
    decides instead."""
    columns = ["_row", "criterion_id", "text", "theme", "cue"]
    finding = _ascii_words(f"(?i)\\b((?:{'|'.join(taxonomy.text_alone_findings)}))\\b")
    no_context = frame.filter((pl.col("study_conditions") == "") & (pl.col("study_title") == ""))
    return (
        _open_findings(found, no_context, is_header, apart)
        .with_columns(cue=pl.col("text").str.extract(finding, 1))
        .drop_nulls("cue")
        .select(columns[:3], theme=pl.lit("disease_characteristics"), cue="cue")
    )


def _system_findings(
    found: pl.DataFrame, frame: pl.DataFrame, taxonomy: Taxonomy, is_header: pl.DataFrame, apart: str
) -> pl.DataFrame:
    """Criteria that nothing else explains and that name a finding in the body system of the studied disease
    (penile curvature in an erectile-dysfunction trial, a vertebral deformity in a spine trial): features of
    the studied disease. Not when the criterion sets the finding apart from it ("other sexual disorders") or
    is a list header."""
    columns = ["_row", "criterion_id", "text", "theme", "cue"]
    # Nor a finding with "other" causes.
    open_rows = _open_findings(found, frame, is_header, apart).filter(~pl.col("text").str.contains(r"(?i)\bother\b"))
    study = pl.concat_str([pl.col("study_conditions"), pl.col("study_title")], separator=" ")
    parts = [pl.DataFrame(schema={name: found.schema[name] for name in columns})]
    for condition, finding in taxonomy.body_systems:
        if open_rows.is_empty():
            break
        hits = (
            open_rows.filter(study.str.contains(_ascii_words(f"(?i)\\b(?:{condition})")))
            .with_columns(cue=pl.col("text").str.extract(_ascii_words(f"(?i)\\b((?:{finding}))\\b"), 1))
            .drop_nulls("cue")
        )
        parts.append(hits.select(columns[:3], theme=pl.lit("disease_characteristics"), cue="cue"))
        open_rows = open_rows.join(hits.select("_row"), on="_row", how="anti")
    return pl.concat(parts)


def _find(
    frame: pl.DataFrame, rules: dict[str, ThemeRule], taxonomy: Taxonomy, *, lexicon: bool, routes: _Routes | None
) -> pl.DataFrame:
    """(criterion, theme, cue) for every theme of `rules` whose cue is in a criterion, after its ignore and unless rules.

    Column `_regex` tells whether the theme would be found without the drug lexicon too (a cue
    of its own survived the ignore rules), which is what a child item inherits from its parent.
    """
    use_lexicon = lexicon and bool(taxonomy.lexicon_terms) and taxonomy.lexicon_theme in rules
    base = frame.select("_row", "criterion_id", "text")
    parts = []
    for theme, rule in rules.items():
        cued = _with_first_cue(base, "text", rule, routes=routes).with_columns(_regex=pl.col("cue").is_not_null())
        if use_lexicon and theme == taxonomy.lexicon_theme:
            # A criterion without a cue of the lexicon's theme is searched for a drug name.
            cued = _with_lexicon_cue(cued, "text", taxonomy)
        cued = cued.drop_nulls("cue")
        if cued.is_empty():
            continue
        cued = cued.select("_row", "criterion_id", "text", theme=pl.lit(theme), cue="cue", _regex="_regex")
        if rule.ignore or rule.unless:
            cued = _apply_suppression(cued, rule, taxonomy, lexicon=use_lexicon, routes=routes)
        parts.append(cued)
    empty = pl.DataFrame(
        schema={
            "_row": pl.UInt32,
            "criterion_id": pl.Int64,
            "text": pl.Utf8,
            "theme": pl.Utf8,
            "cue": pl.Utf8,
            "_regex": pl.Boolean,
        }
    )
    return pl.concat(parts) if parts else empty


# Below this many criteria per part, the classifier's fixed cost outweighs running in parallel.
_ROWS_PER_PART = 20_000


def classify_frame(items: pl.DataFrame, *, rules: Taxonomy | None = None) -> pl.DataFrame:
    """One row per (criterion, theme) with the matched cue, whether it is conditional and why.

    `items` has columns `criterion_id` and `text`, and optionally the context
    columns `heading`, `parent_text`, `study_title` and `study_conditions`. A criterion that fits no
    theme gets `other` with cue "". Rows come out in input order and, within a
    criterion, in taxonomy order.

    Criteria are classified each on its own, so a large input is cut into consecutive
    parts that run side by side on polars' threads (most of the work is in Rust, which
    releases the GIL); the parts' rows, concatenated in order, are the rows of the whole.
    """
    taxonomy = rules or default_rules()
    parts = min(pl.thread_pool_size(), items.height // _ROWS_PER_PART)
    if parts < 2:
        return _classify(items, taxonomy)
    size = -(-items.height // parts)
    with ThreadPoolExecutor(parts) as pool:
        return pl.concat(pool.map(lambda start: _classify(items.slice(start, size), taxonomy), range(0, items.height, size)))


def _classify(items: pl.DataFrame, taxonomy: Taxonomy) -> pl.DataFrame:
    cued = {rule.id: rule for rule in taxonomy.themes if not rule.is_fallback}
    fallback = taxonomy.fallback
    rank = {rule.id: position for position, rule in enumerate(taxonomy.themes)}

    frame = _prepare(items)
    # The cues depend on the text alone, so a text that several criteria share (a
    # quarter of the demo's: "Pregnant or breast-feeding women") is searched once:
    # `texts` holds each distinct text once, its `_row` the `_text` id of `frame`.
    texts = frame.select("_text", "text").unique("_text", maintain_order=True).rename({"_text": "_row"})
    routes = _Routes(texts, "text", _routed_patterns(taxonomy))
    texts = texts.with_columns(criterion_id=pl.lit(None, dtype=pl.Int64))
    # Every criterion is scanned once per theme on its raw text. The ignore and
    # unless rules then run only on the few criteria where a theme's cue was found,
    # which keeps masking (a full string rewrite) off most of the column.
    found = _find(texts, cued, taxonomy, lexicon=True, routes=routes)
    # What each text's own cues found, for the items that sit under it (their parent's text).
    searched = texts.select(_parent="_row", parent_text="text")
    strong = found.select(_parent="_row", theme="theme", _regex="_regex")
    weak = {rule.id: replace(rule, cues=rule.weak, weak=()) for rule in cued.values() if rule.weak}
    if weak:
        # Weak cues ("men", "children") give their theme only to a criterion that no
        # other cue explains: "ALT > 35 (men)" is about the liver, not about sex.
        alone = _find(texts.join(found, on="_row", how="anti"), weak, taxonomy, lexicon=False, routes=routes)
        found = pl.concat([found, alone])
    found = frame.select("_row", "criterion_id", "text", "_text").join(
        found.select(_text="_row", theme="theme", cue="cue"), on="_text"
    )
    found = found.drop("_text")
    # Joins do not keep row order, so the cue kept for a (criterion, theme) is chosen explicitly: the
    # leftmost in the text, then the alphabetically first. The same input always gives the same cue.
    found = (
        _with_also(_apply_context(found, frame, taxonomy, searched, strong), taxonomy)
        .with_columns(_at=pl.col("text").str.find(pl.col("cue"), literal=True))
        .sort("_row", "theme", "_at", "cue", nulls_last=True)
        .unique(["_row", "theme"], keep="first", maintain_order=True)
        .drop("_at")
    )
    unmatched = frame.join(found, on="_row", how="anti").select(
        "_row", "criterion_id", "text", theme=pl.lit(fallback.id), cue=pl.lit("")
    )
    tagged = pl.concat([found, unmatched]).join(frame.select("_row", "_text"), on="_row", maintain_order="left")
    return (
        _with_heading_window(_with_conditional(tagged, taxonomy, routes), frame, taxonomy)
        .with_columns(_rank=pl.col("theme").replace_strict(rank, return_dtype=pl.Int32))
        .sort("_row", "_rank")
        .select(list(OUTPUT_SCHEMA))
        .cast(OUTPUT_SCHEMA)
    )


def _with_also(found: pl.DataFrame, taxonomy: Taxonomy) -> pl.DataFrame:
    """Add the themes of `[[also]]`: a cue of one theme that also names another ("failed prior therapy" is the
    disease's response status and a treatment history) gives the other theme too, with the same cue."""
    added = [
        found.filter((pl.col("theme") == theme) & pl.col("cue").str.contains(_ascii_words(f"(?i)(?:{cue})"))).with_columns(
            theme=pl.lit(adds)
        )
        for theme, cue, adds in taxonomy.also
    ]
    return pl.concat([found, *added]) if added else found


# --- whole or conditional -------------------------------------------------------------------

# Clauses are cut at semicolons and sentence ends: a qualifier counts for the themes
# whose cue is in its clause. The full stops of "e.g.", "i.e.", "etc." and "vs." end
# no sentence: "(e.g. claustrophobia) that would preclude MRI" is one clause.
_CLAUSE = r"(?:(?i:e\.g\.|i\.e\.|etc\.|vs\.)|[^;.]|\.[^\s;])+?(?:\.\s+|\.?;|\.?$)"


def _with_conditional(tagged: pl.DataFrame, taxonomy: Taxonomy, routes: _Routes | None = None) -> pl.DataFrame:
    """Add `conditional` and `qualifier` (the words that let part of the group in) to each (criterion, theme)."""
    kinds = taxonomy.qualifiers
    fallback = taxonomy.fallback.id
    rules = {rule.id: rule for rule in taxonomy.themes}
    if not kinds:
        return tagged.with_columns(conditional=pl.lit(False), qualifier=pl.lit(""))
    names = [f"_q{index}" for index in range(len(kinds))]
    patterns = [_ascii_words(f"(?i)(?:^|[^\\w-])({kind.pattern})(?:\\W|$|(?-u:\\b))") for kind in kinds]
    # One pattern per phrase, as for ignore entries: joined into one alternation, the
    # regex engine's automaton outgrows its cache and blanking runs several times slower.
    blanks = _ignore_patterns(taxonomy.not_qualifiers)

    def qualifiers(frame: pl.DataFrame, column: str) -> pl.DataFrame:
        frame = frame.with_columns(_scan=pl.col(column))
        searched = list(zip(kinds, patterns, names, strict=True))

        def search(frame: pl.DataFrame, kind: QualifierKind, pattern: str, name: str) -> pl.DataFrame:
            frame = _search_possible(frame, routes, kind.pattern, "_scan", _extractor(pattern), name, key="_text")
            if not kind.requires:
                return frame
            # Only the rows the kind matched are tested for the words it requires.
            found = frame.select(pl.col(name).is_not_null().arg_true()).to_series()
            if not len(found):
                return frame
            required = _ascii_words(f"(?i)(?:{kind.requires})")
            kept = frame.select(pl.col(column).gather(found).str.contains(required)).to_series()
            value = frame.get_column(name).clone()
            value.scatter(found.filter(~kept), None)
            return frame.with_columns(value.alias(name))

        for kind, pattern, name in searched:
            if kind.before_blanks:
                frame = search(frame, kind, pattern, name)
        for phrase, blank in zip(taxonomy.not_qualifiers, blanks, strict=True):
            frame = _search_possible(frame, routes, phrase, "_scan", _blanker(blank), "_scan", keep=True, key="_text")
        for kind, pattern, name in searched:
            if not kind.before_blanks:
                frame = search(frame, kind, pattern, name)
        return frame

    # `other` is never conditional, so only criteria with a theme are searched.
    themed = tagged.filter(pl.col("theme") != fallback)
    # A criterion with several themes and several clauses (cut at semicolons and
    # sentence ends): each theme takes the qualifiers of the clauses that hold its cue.
    scoped = themed.filter((pl.col("cue") != "") & (pl.len().over("_row") > 1))
    clauses = (
        scoped.select("_row", "_text", "text")
        .unique("_row", maintain_order=True)
        .with_columns(clause=pl.col("text").str.extract_all(_CLAUSE))
        .filter(pl.col("clause").list.len() > 1)
        .explode("clause")
        .with_columns(_pos=pl.int_range(pl.len()).over("_row"))
    )
    searched = qualifiers(clauses, "clause")
    in_clause = searched.join(scoped.select("_row", "theme", "cue"), on="_row", maintain_order="left")
    holds = [_holding(part, rules[theme], routes) for (theme,), part in in_clause.partition_by("theme", as_dict=True).items()]
    held = pl.concat(holds) if holds else in_clause.clear()
    # A clause that holds no theme's cue ("Brain metastases; pregnancy. Those treated and
    # stable are allowed.") qualifies the themes of the nearest clause before it that does.
    placed = held.select("_row", "_pos", "theme").unique()
    orphans = searched.join(placed, on=["_row", "_pos"], how="anti")
    before = (
        orphans.select("_row", "_pos")
        .join(placed.rename({"_pos": "_held"}), on="_row")
        .filter(pl.col("_held") < pl.col("_pos"))
        .filter(pl.col("_held") == pl.col("_held").max().over("_row", "_pos"))
    )
    inherited = orphans.join(before.select("_row", "_pos", "theme"), on=["_row", "_pos"])
    # Clauses in text order, which decides the qualifier a theme takes first.
    per_theme = (
        pl.concat([held, inherited], how="diagonal")
        .sort("_pos", maintain_order=True)
        .group_by("_row", "theme")
        .agg(pl.col(name).drop_nulls().first() for name in names)
    )
    # The other (criterion, theme) pairs take the qualifiers of the whole text,
    # which is searched only for the criteria that have such a pair.
    rest = themed.join(per_theme, on=["_row", "theme"], how="anti")
    per_row = (
        qualifiers(rest.select("_row", "_text", "text").unique("_row", maintain_order=True), "text").select("_row", *names).lazy()
    )
    found = pl.concat([rest.lazy().select("_row", "theme").join(per_row, on="_row"), per_theme.lazy()]).collect()
    qualifier = pl.lit(None, dtype=pl.Utf8)
    for kind, name in reversed(list(zip(kinds, names, strict=True))):
        allowed = ~pl.col("theme").is_in(list(kind.not_for))
        if kind.only_for:
            allowed = allowed & pl.col("theme").is_in(list(kind.only_for))
        qualifier = pl.when(allowed & pl.col(name).is_not_null()).then(pl.col(name)).otherwise(qualifier)
    found = found.select("_row", "theme", qualifier=qualifier)
    return tagged.join(found, on=["_row", "theme"], how="left").with_columns(
        qualifier=pl.col("qualifier").fill_null(""), conditional=pl.col("qualifier").fill_null("") != ""
    )


# A time window in a heading or parent item ("Excluded within 30 days of study entry:").
_HEADING_WINDOW = (
    r"(?i)\b(within\s+(?:the\s+)?(?:last\s+|past\s+|previous\s+|preceding\s+)?"
    r"(?:\d+|one|two|three|four|five|six|eight|twelve)\s*-?\s*(?:hours?|days?|weeks?|months?|years?))\b"
)


def _with_heading_window(tagged: pl.DataFrame, frame: pl.DataFrame, taxonomy: Taxonomy) -> pl.DataFrame:
    """A prior-therapy item listed under a heading or parent item with a time window ("Rifampin." under
    "Excluded within 2 weeks of study entry:") excludes the drug only within it: conditional, the window
    its qualifier. The item's own qualifier, if it has one, comes first."""
    if not taxonomy.lexicon_theme:
        return tagged
    window = frame.select(
        "_row",
        _window=pl.coalesce(
            pl.col("parent_text").str.extract(_HEADING_WINDOW, 1), pl.col("heading").str.extract(_HEADING_WINDOW, 1)
        ),
    ).drop_nulls("_window")
    if window.is_empty():
        return tagged
    under = (pl.col("theme") == taxonomy.lexicon_theme) & ~pl.col("conditional") & pl.col("_window").is_not_null()
    return (
        tagged.join(window, on="_row", how="left", maintain_order="left")
        .with_columns(
            qualifier=pl.when(under).then(pl.col("_window")).otherwise(pl.col("qualifier")),
            conditional=pl.col("conditional") | under.fill_null(False),
        )
        .drop("_window")
    )


def _holding(clauses: pl.DataFrame, rule: ThemeRule, routes: _Routes | None) -> pl.DataFrame:
    """The clauses that hold their row's theme `rule`: one of its cues is in the clause (a heading's or the drug
    lexicon's cue: the cue itself is). Each cue group searches only the clauses the ones before it did not place."""
    clauses = clauses.with_row_index("_clause")
    held = [clauses.filter(pl.col("clause").str.contains(pl.col("cue"), literal=True))["_clause"]]
    pending = clauses.join(held[0].to_frame(), on="_clause", how="anti").select("_text", "_clause", "clause")
    for chunk in _cue_chunks(rule.cues):
        if pending.is_empty():
            break
        pattern = _word_pattern(chunk)
        tested = _search_possible(pending, routes, chunk, "clause", _tester(pattern), "_hit", dtype=pl.Boolean, key="_text")
        hit = pl.col("_hit").fill_null(False)
        held.append(tested.filter(hit)["_clause"])
        pending = tested.filter(~hit).drop("_hit")
    return clauses.join(pl.concat(held).to_frame(), on="_clause", how="semi", maintain_order="left").drop("_clause")


# --- the taxonomy as a table, and one criterion explained ---------------------------------


def themes_table(rules: Taxonomy | None = None) -> pl.DataFrame:
    """The taxonomy in its own order, `other` included, for storing next to the tags."""
    taxonomy = rules or default_rules()
    return pl.DataFrame(
        {
            "theme": [rule.id for rule in taxonomy.themes],
            "label": [rule.label for rule in taxonomy.themes],
            "description": [rule.description for rule in taxonomy.themes],
        }
    )


@dataclass(frozen=True)
class Explained:
    """One theme of one criterion: the cue that gave it, and the qualifier that makes it conditional."""

    theme: str
    cue: str
    conditional: bool
    qualifier: str


def explain_each(texts: Sequence[str], *, rules: Taxonomy | None = None, **context: str) -> list[list[Explained]]:
    """The themes of each criterion, in order, classified in one call as ingest classifies a batch; `context`
    takes the CONTEXT_COLUMNS by name and applies to every criterion."""
    unknown = set(context) - set(CONTEXT_COLUMNS)
    if unknown:
        raise ValueError(f"unknown context {', '.join(sorted(unknown))}; expected some of {', '.join(CONTEXT_COLUMNS)}")
    items = pl.DataFrame(
        {
            "criterion_id": range(len(texts)),
            "text": list(texts),
            **{name: [value] * len(texts) for name, value in context.items()},
        },
        schema={"criterion_id": pl.Int64, "text": pl.Utf8, **dict.fromkeys(context, pl.Utf8)},
    )
    explained: list[list[Explained]] = [[] for _ in texts]
    for row in classify_frame(items, rules=rules).iter_rows(named=True):
        explained[row.pop("criterion_id")].append(Explained(**row))
    return explained


def explain(text: str, *, rules: Taxonomy | None = None, **context: str) -> list[Explained]:
    """The themes of a single criterion; `context` takes the CONTEXT_COLUMNS by name."""
    return explain_each([text], rules=rules, **context)[0]


def cmd_themes(text: str, **context: str) -> int:
    """Print each theme of `text` with the words that triggered it, and whether it is whole or conditional."""
    taxonomy = default_rules()
    labels = {rule.id: rule.label for rule in taxonomy.themes}
    rows = explain(text, rules=taxonomy, **context)
    width = max(len(row.theme) for row in rows)
    for row in rows:
        if row.cue:
            because = f'cue: "{row.cue}"'
        elif row.theme == taxonomy.fallback.id:
            because = "no theme's cue matched"
        else:
            because = "from the heading or parent item"
        kind = f'conditional, qualifier: "{row.qualifier}"' if row.conditional else "whole, no qualifier"
        print(f"{row.theme:<{width}}  {labels[row.theme]}  ({because}; {kind})")
    return 0

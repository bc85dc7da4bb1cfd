"""Split a free-text eligibility criteria block into ordered, sectioned items.

Registry criteria arrive in three shapes: v2 markdown (``* `` bullets, indented
sub-bullets), classic XML textblocks (``-  `` bullets, deep indentation,
hard-wrapped lines, unmarked paragraphs) and exports where every newline was
collapsed to a space.  Multi-line text is parsed line by line, using
indentation for nesting; collapsed text is scanned for inline headers and
markers, using marker types and numbering sequences instead of indentation.
Both produce the same token stream, which one builder turns into items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CriterionItem", "split_criteria", "unescape_markdown"]


@dataclass(frozen=True, slots=True)
class CriterionItem:
    ordinal: int
    section: str
    text: str
    parent_ordinal: int | None
    depth: int
    heading: str | None


INCLUSION = "inclusion"
EXCLUSION = "exclusion"
UNSPECIFIED = "unspecified"

_ESCAPE_RE = re.compile(r"\\([\\<>\[\]*^.~_()#+\-!`{}|=])")
# Non-blank lines: leading whitespace and content (trailing blanks dropped).
_LINE_RE = re.compile(r"^([ \t]*)(\S(?:[^\n]*\S)?)[ \t]*$", re.M)
# Redundant second markers ("* 1) ...", "* • ...", "* 2\\. ...") left after the first.
_INNER_MARKER_RE = re.compile(r"(?:[*•\-+·]|\(?\d{1,3}\\?[.)])\s+|\d{1,3}[.)](?=[A-Z])")

# Header titles.  Prefix words are an explicit list so that prose such as
# "Discrepancies to inclusion criteria" is never read as a header.
_PREFIX = (
    r"(?:(?:key|main|major|principal|general|additional|specific|other|further|individual|"
    r"patient|patients|participant|participants|subject|subjects|study|donor|"
    r"recipient|disease[- ]specific)\s+)?"
)
# Section words as written, typos included ("Inclsuion", "EXLUSION", "Exlcusion",
# "Inclusions", "Criteriar", "Critera"); "inclusive" and "excursion" never match.
_INC_WORD = r"i{1,2}n(?:c?l|lc|c)(?:u?s|su|us)[io]{1,3}ns?"
_EXC_WORD = r"ex(?:c?l|lc|c)(?:u?s|su|us)[io]{1,3}ns?"
_CRIT_WORD = r"cr?[ie]t[ei]{0,2}r[ie]{0,2}(?:a|on)[rs]?"
_CORE = (
    rf"(?:(?:non[- ]?{_INC_WORD}|{_INC_WORD}|{_EXC_WORD}|eligibility|ineligibility)"
    rf"(?:\s*(?:/|and|&)\s*(?:{_INC_WORD}|{_EXC_WORD}))?"
    rf"(?:\s+{_CRIT_WORD})?"
    rf"|{_CRIT_WORD}\s+(?:for|of)\s+(?:{_INC_WORD}|{_EXC_WORD}|eligibility|participation))"
)
_SUFFIX = r"(?:\s*\([^()\n:]{1,40}\)|\s*(?:for|of|in|-|–)\s+[^:\n.;*•]{1,60}?)?"
_PDQ = (
    r"disease\s+characteristics|patient\s+characteristics|"
    r"prior\s*/?\s*concurrent\s+therapy|protocol\s+entry\s+criteria"
)
# "Patients will not be eligible for this study if they:" works as a header.
_ELIGIBLE_IF = (
    r"(?:[a-z]+\s+){1,3}(?:may|will)\s+(?:not\s+)?be\s+eligible\s+for\s+this\s+"
    r"(?:study|trial)(?:\s+if\s+(?:they|you|he/she|she|he))?"
)
_PDQ_TITLE_RE = re.compile(rf"(?:{_PDQ}|{_ELIGIBLE_IF})$", re.I)
_ENUM = r"(?:(?:[IVX]{1,4}|[A-Ea-e]|\d{1,2})[.)]\s+)?"
_DECO = r"(?:#{1,6}\s*)?(?:\*\*|__|--)?"
_DECO_END = r"(?:\*\*|__|--)?"

# On a line of its own a header may also be named by a few free words of its
# own ("Angiographic Exclusion Criteria", "Erectile dysfunction cohort inclusion
# criteria:"): the first capitalised, none a word of a sentence ("No eligibility
# criteria", "Failure to meet inclusion criteria" are items).
_STOP = (
    r"(?:no|not|non|to|the|all|any|other|see|same|as|does|do|did|who|that|which|meet|meets|met|meeting|"
    r"fulfil\w*|failure|with|without|for|and|or|in|on|if|are|is|be|a|an|will|must|may|should|these|those|"
    r"their|his|her|above|below|following|per|than|been|has|have)"
)
_FREE_PREFIX = rf"(?P<free>(?!{_STOP}\b)(?-i:[A-Z])[\w/&'-]*\s+(?:(?!{_STOP}\b)[\w/&'-]+\s+){{0,3}})"
_LINE_TITLE = rf"(?P<title>(?:{_PREFIX}|{_FREE_PREFIX}){_CORE}{_SUFFIX}|{_PDQ}|{_ELIGIBLE_IF})"
# "Inclusion criteria include:", "Exclusion criteria were as follows:".
_VERB_TAIL = r"(?:\s+(?:include|includes|are|were|is)(?:\s+as\s+follows)?|\s+as\s+follows)(?=\s*:)"

# A header at the start of a line: either the whole line (a colon, a dash or
# nothing after it) or followed by a colon and inline content ("DISEASE
# CHARACTERISTICS: Histologically ...", "--Disease Characteristics-- Men with ...").
_LINE_HEADER_RE = re.compile(
    rf"(?P<bullet>[-*•]\s*)?{_ENUM}{_DECO}{_LINE_TITLE}(?:{_VERB_TAIL})?\s*{_DECO_END}\s*"
    rf"(?:(?P<colon>:)\s*{_DECO_END}\s*|[-–—]?\s*$|(?<=--)\s+)",
    re.I,
)
# Cheap test for a section word anywhere in a line (see ``_may_be_header`` for the substrings).
_SECTION_WORD_RE = re.compile(r"lus|lsu|cus|lcu|eligib", re.I)
# A header after other text on the same line ("... Stable relationship Exclusion
# Criteria: - Recent surgery"): capitalised, naming criteria, ending in a colon.
_MID_HEADER_RE = re.compile(
    rf"(?<=\S)\s+(?P<hdr>{_DECO}(?=(?-i:[A-Z]))(?P<title>{_PREFIX}(?:{_INC_WORD}|{_EXC_WORD}|eligibility)"
    rf"\s+{_CRIT_WORD})\s*{_DECO_END}\s*:)",
    re.I,
)

_BULLETS = "*-•+o·▪●○■–"
# A marker at the start of a line.  ``\*`` and ``\-`` are escaped literals,
# never bullets, which the leading character class excludes by construction.
_LINE_MARKER_RE = re.compile(
    r"(?:(?P<bul>[*\-•+o·▪●○■–])|(?P<ord>\(?(?:\d{1,3}|[A-Za-z]|[ivxlIVXL]{2,6})[.)]))"
    r"(?:\s+|$)"
    # "2.Patients with ...": numbers glued to a capitalised word still count.
    r"|(?P<glued>\d{1,3}[.)])(?=[A-Z])"
)
# Inline (collapsed text) candidates; headers are tried first at a position.
# A dash bullet is followed by a capital, a bracket, a quote or a comparison
# ("- (if female) ...", "- 'healthy' ...", "- ≥18 years"), or by a lowercase word
# when the dash stands apart ("- age over 18"); "18 - 65" is never a bullet.
_INLINE_MARKER = (
    r"(?<![^\s:])(?P<bul>[*•▪●■◦○])(?=\s|$)"
    r"|(?P<dash>-(?=\s+[A-Z(\[{\"'“‘≥≤<>])|(?<!\S)-(?=\s+[a-z]))"
    r"|(?<![\w.,\\/\-+^])(?P<ord>\(?(?:\d{1,3}|[A-Za-z]|[ivxlIVXL]{2,6})[.)])"
    r"(?P<ordnext>\s|(?=[A-Z]))"
)
_INLINE_MARKER_RE = re.compile(_INLINE_MARKER)
# Inline headers must end in a colon or run straight into a list marker, so
# that a header phrase inside a sentence is never taken for a header.
_INLINE_RE = re.compile(
    rf"(?<!\S)(?P<hdr>{_ENUM}{_DECO}(?i:(?P<ititle>{_PREFIX}{_CORE}{_SUFFIX}|{_PDQ}))"
    rf"\s*{_DECO_END}\s*(?::|(?=\s*(?:[*•-]\s|\(?\d{{1,2}}[.)]\s))))|" + _INLINE_MARKER
)

_LEADIN_RE = re.compile(
    r"\b(?:the\s+following|all\s+of|any\s+of|one\s+of|following\s+criteria|"
    r"will\s+be\s+(?:excluded|eligible|included|enrolled)|are\s+(?:not\s+)?eligible|"
    r"must\s+(?:meet|fulfil|fulfill|satisfy|have\s+all)|(?:eligible|excluded|included)\s+if|"
    r"those\s+who|criteria\s+(?:include|are))\b",
    re.I,
)
_INC_RE = re.compile(_INC_WORD, re.I)
_EXC_RE = re.compile(rf"{_EXC_WORD}|ineligib|not\s+be\s+eligible", re.I)
_NON_INC_RE = re.compile(rf"non[- ]?{_INC_WORD}", re.I)
# A title of section words only ("Inclusions", "EXCLUSION CRITERIA", "Criteria for
# exclusion") names the section and no group within it.
_PLAIN_TITLE_MAX = 32  # "Criteria for non-inclusion", with room for a typo
_PLAIN_TITLE_RE = re.compile(
    rf"(?:{_INC_WORD}|{_EXC_WORD}|eligibility)(?:\s+{_CRIT_WORD})?|{_CRIT_WORD}\s+(?:for|of)\s+(?:{_INC_WORD}|{_EXC_WORD}|eligibility)",
    re.I,
)
# Words that state no condition: a lead-in made only of these ("Patients must
# meet all of the following criteria:") introduces the list and is no item.
_LEADIN_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "all",
        "any",
        "each",
        "either",
        "both",
        "one",
        "two",
        "three",
        "at",
        "least",
        "more",
        "or",
        "and",
        "of",
        "to",
        "in",
        "into",
        "for",
        "from",
        "on",
        "by",
        "with",
        "this",
        "that",
        "these",
        "those",
        "who",
        "which",
        "if",
        "they",
        "them",
        "their",
        "he",
        "she",
        "you",
        "your",
        "we",
        "following",
        "follows",
        "as",
        "listed",
        "below",
        "above",
        "criteria",
        "criterion",
        "inclusion",
        "exclusion",
        "eligibility",
        "requirement",
        "requirements",
        "condition",
        "conditions",
        "characteristics",
        "must",
        "should",
        "will",
        "shall",
        "may",
        "can",
        "need",
        "needs",
        "required",
        "meet",
        "meets",
        "meeting",
        "met",
        "fulfil",
        "fulfill",
        "fulfils",
        "fulfills",
        "fulfilling",
        "satisfy",
        "satisfies",
        "satisfying",
        "have",
        "has",
        "having",
        "be",
        "being",
        "been",
        "are",
        "is",
        "was",
        "were",
        "do",
        "does",
        "not",
        "no",
        "eligible",
        "ineligible",
        "excluded",
        "included",
        "include",
        "includes",
        "including",
        "enrolled",
        "enroll",
        "enrol",
        "enrolment",
        "enrollment",
        "enter",
        "entry",
        "participate",
        "participation",
        "participating",
        "considered",
        "qualify",
        "selected",
        "recruited",
        "admitted",
        "randomized",
        "randomised",
        "patient",
        "patients",
        "participant",
        "participants",
        "subject",
        "subjects",
        "individual",
        "individuals",
        "person",
        "persons",
        "people",
        "volunteer",
        "volunteers",
        "candidate",
        "candidates",
        "potential",
        "prospective",
        "study",
        "trial",
        "protocol",
        "apply",
        "applies",
        "also",
        "general",
        "key",
        "main",
        "symptoms",
        "diseases",
        "disorders",
        "illnesses",
        "features",
        "factors",
        "reasons",
        "circumstances",
        "situations",
        "exclude",
        "excludes",
        "present",
        "time",
        "screening",
        "randomization",
        "randomisation",
        "registration",
        "entering",
        "children",
        "adults",
        "women",
        "men",
        "males",
        "females",
        "infants",
        "shows",
        "show",
        "clinical",
        "research",
        "prior",
        "current",
        "concurrent",
        "only",
        "addition",
        "additionally",
        "basis",
        "under",
        "diagnoses",
        "male",
        "female",
        "infant",
        "mother",
        "mothers",
        "categories",
        "category",
        "groups",
        "types",
        "presenting",
        "order",
        "treated",
        "result",
        "results",
    ]
)
# A lead-in that says who is excluded or eligible may add a few words of its own
# ("Healthy volunteers will be excluded for any of the following:").
_LEADIN_SCOPE_RE = re.compile(r"exclu|eligib|inclu(?!de\b|des\b|ding\b)|enrol", re.I)
_LEADIN_MAX_OTHER_WORDS = 3
_WORD_RE = re.compile(r"[^\W\d_]+")
# An item that opens a choice or a list ("At least one of the following:"): bullets
# of its own marker and indent that follow can be its children (see ``_place``).
_GROUP_RE = re.compile(r"\bthe\s+following\b|\b(?:one|any|either)\s+of\s*:$", re.I)
# Children of such an item are short (or start with a short line and a note),
# or are numbered inside their bullet ("* 1) ...").
_MAX_CHILD_WORDS = 12

# One-line text sometimes carries a sub-heading glued to the end of the
# previous item ("... participation. Control Participant: * ..."); only a
# short Title Case phrase after a sentence end qualifies.
_TRAILING_SUB_RE = re.compile(r"(?<=[.:;])\s+(?P<sub>[A-Z][\w/&'-]*(?:\s+[A-Z(][\w/&()'-]*){0,3})\s*(?P<colon>:)?\s*$")

_ROMAN = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
    "vi": 6,
    "vii": 7,
    "viii": 8,
    "ix": 9,
}
_ROMAN.update({"x": 10, "xi": 11, "xii": 12, "xiii": 13, "xiv": 14, "xv": 15})

# Deeper nesting than this is treated as siblings: real lists stop at three
# or four levels, and the cap keeps stack scans constant on hostile input.
_MAX_DEPTH = 6
# Runs of bare bullets carry no text; folding them keeps hostile input linear.
_EMPTY_BULLETS_RE = re.compile(r"(?:[*•][ \t]+){2,}")

_HEADER = "H"
_SUB = "S"
_ITEM = "I"
_PARA = "para"


@dataclass(slots=True)
class _Token:
    type: str  # _HEADER, _SUB or _ITEM
    indent: int
    kind: str  # marker kind, e.g. "*", "num.", "(alpha)", or _PARA for unmarked text
    value: int  # position in an ordered list, 0 for bullets and paragraphs
    parts: list[str]  # the raw text, as pieces (wrapped lines) to be joined


def unescape_markdown(text: str) -> str:
    r"""Turn markdown backslash escapes (``\>``, ``\[``, ``\*`` ...) into the literal character."""
    if "\\" not in text:
        return text
    return _ESCAPE_RE.sub(r"\1", text)


def _clean(text: str) -> str:
    return " ".join(unescape_markdown(text).split())


def _header_section(title: str, current: str) -> str:
    has_in = _INC_RE.search(title) is not None
    has_ex = _EXC_RE.search(title) is not None
    non_inclusion = _NON_INC_RE.search(title) is not None
    if has_ex and has_in and not non_inclusion:
        # "Inclusion/Exclusion criteria" names both lists: it sets no section.
        return current
    if has_ex or non_inclusion:
        return EXCLUSION
    if has_in or "eligib" in title.lower():
        return INCLUSION
    # PDQ headings describe required characteristics: an inclusion-style list.
    return EXCLUSION if current == EXCLUSION else INCLUSION


def _header_heading(title: str) -> str | None:
    heading = " ".join(title.split()).strip(" :*#_-–—")
    return None if len(heading) <= _PLAIN_TITLE_MAX and _PLAIN_TITLE_RE.fullmatch(heading) else heading


def _ordered_candidates(raw: str) -> list[tuple[str, int]]:
    """Possible (kind, value) readings of an ordered marker such as ``ii)`` or ``(3)``."""
    if raw.startswith("("):
        if not raw.endswith(")"):
            return []
        core, style = raw[1:-1], "()"
    else:
        core, style = raw[:-1], raw[-1]
    if core.isdigit():
        return [("num" + style, int(core))]
    out: list[tuple[str, int]] = []
    if len(core) == 1:
        family = "alpha" if core.islower() else "ALPHA"
        out.append((family + style, ord(core.lower()) - 96))
    roman = _ROMAN.get(core.lower())
    if roman is not None and (core.islower() or core.isupper()):
        out.append(("roman" + style if core.islower() else "ROMAN" + style, roman))
    return out


def _bullet_kind(char: str) -> str:
    return "*" if char in "*•" else char


# The longest a header line's title runs (prefix words, section words and a suffix).
_HEADER_SPAN = 120


def _may_be_header(content: str) -> bool:
    """Cheap pre-check: section words near the start of the line (substring tests beat a case-insensitive
    regex by far; every spelling ``_INC_WORD`` and ``_EXC_WORD`` accept holds "lus", "lsu", "cus" or
    "lcu"), and a line that is short or has a colon (or "--") early on."""
    low = content[:60].lower()
    return (
        "lus" in low
        or "crit" in low
        or "eligib" in low
        or "cus" in low
        or "lsu" in low
        or "lcu" in low
        or "character" in low
        or "concurrent" in low
    ) and (len(content) <= _HEADER_SPAN or ":" in content[:_HEADER_SPAN] or "--" in content[:_HEADER_SPAN])


def _header_at(content: str) -> re.Match[str] | None:
    """A header at the start of ``content``.

    After a bullet, free words name a header only in Title Case ("* Cardiac
    Exclusion Criteria:"); "* Stable relationship Exclusion Criteria:" is an
    item followed by a header.
    """
    header = _LINE_HEADER_RE.match(content)
    if header is None:
        return None
    free = header.group("free")
    if free and header.group("bullet") and not all(word[:1].isupper() for word in free.split()):
        return None
    return header


def _split_mid_header(content: str) -> tuple[str, str] | None:
    """The text before a header that follows it on the same line, and the header onwards."""
    mid = _MID_HEADER_RE.search(content)
    if mid is None:
        return None
    head = _header_at(content)
    if head is not None and head.end() > mid.start("hdr"):
        return None
    return content[: mid.start()], content[mid.start("hdr") :]


def _tokenize_lines(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    cur: _Token | None = None
    # Text indent of the current item: wrapped lines aligned with it continue it.
    cur_text_indent = 0
    prev_end = -2
    for line in _LINE_RE.finditer(text):
        # Consecutive non-blank lines are one newline apart; more means a blank line.
        blank_before = line.start() - prev_end > 1
        prev_end = line.end()
        lead, content = line.group(1), line.group(2)
        indent = len(lead.expandtabs(4)) if "\t" in lead else len(lead)
        pieces: tuple[tuple[str, bool], ...] = ((content, blank_before),)
        # Mid-line headers name criteria and end in a colon: look further only at such lines.
        if ":" in content and ("rit" in content or "RIT" in content) and _SECTION_WORD_RE.search(content):
            split = _split_mid_header(content)
            if split is not None:
                pieces = ((split[0], blank_before), (split[1], False))
        # A line split at a header is handled as two lines.
        for content, blank_before in pieces:
            header = _header_at(content) if _may_be_header(content) else None
            if header is not None and content[:1].islower() and _continues(cur, blank_before):
                # "... specific\n exclusions include:" is a wrapped sentence, not a header.
                header = None
            if header is not None:
                # "Study eligibility: General Exclusion Criteria: 1. ...": the last header names the section.
                column = indent
                while header is not None:
                    tokens.append(_Token(_HEADER, indent, "", 0, [header.group("title")]))
                    column += header.end()
                    content = content[header.end() :]
                    header = _header_at(content) if content else None
                cur = None
                if content:
                    cur, cur_text_indent = _line_item(content, indent, column)
                    tokens.append(cur)
                continue
            marker = _LINE_MARKER_RE.match(content)
            if marker is not None and not _is_wrapped_number(marker, cur, blank_before):
                cur, cur_text_indent = _line_item(content, indent, indent, marker)
                tokens.append(cur)
            elif cur is not None and (not blank_before or (cur.kind != _PARA and indent >= cur_text_indent - 1 > cur.indent)):
                cur.parts.append(content)
            else:
                cur = _Token(_ITEM, indent, _PARA, 0, [content])
                cur_text_indent = indent
                tokens.append(cur)
    return _mark_sub_headings(tokens)


def _continues(cur: _Token | None, blank_before: bool) -> bool:
    """The next line may continue ``cur``: no blank line between, and no sentence end before it."""
    return cur is not None and not blank_before and cur.parts[-1][-1:] not in ".:;!?)"


def _is_wrapped_number(marker: re.Match[str], cur: _Token | None, blank_before: bool) -> bool:
    """A hard-wrapped line may start with a number ("... at least\n 2. ...") that is no marker."""
    raw = marker.group("ord") or marker.group("glued")
    if raw is None or blank_before or cur is None or cur.kind == _PARA:
        return False
    candidates = _ordered_candidates(raw)
    # A real marker continues the current list, or starts a nested one.
    return not any((kind == cur.kind and value == cur.value + 1) or value == 1 or kind != cur.kind for kind, value in candidates)


def _line_item(content: str, indent: int, column: int, marker: re.Match[str] | None = None) -> tuple[_Token, int]:
    """Build the token for a line's content, reading a leading marker if there is one."""
    if marker is None:
        marker = _LINE_MARKER_RE.match(content)
    if marker is None:
        return _Token(_ITEM, indent, _PARA, 0, [content]), column
    text = content[marker.end() :]
    text_indent = column + marker.end()
    if marker.group("bul"):
        return _Token(_ITEM, column, _bullet_kind(marker.group("bul")), 0, [text]), text_indent
    candidates = _ordered_candidates(marker.group("ord") or marker.group("glued"))
    if not candidates:
        return _Token(_ITEM, indent, _PARA, 0, [content]), column
    kind, value = candidates[-1] if len(candidates) > 1 and candidates[-1][1] == 1 else candidates[0]
    return _Token(_ITEM, column, kind, value, [text]), text_indent


def _mark_sub_headings(tokens: list[_Token]) -> list[_Token]:
    """Turn short stand-alone label lines ("Hepatic:", "Biologic therapy") into sub-headings."""
    for i, tok in enumerate(tokens):
        if tok.type != _ITEM or tok.kind != _PARA:
            continue
        if len(tok.parts) > 1 or len(tok.parts[0]) > 64:
            continue
        text = tok.parts[0].strip("*_ ")
        words = text.split()
        if not words or len(text) > 60 or _LEADIN_RE.search(text):
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        followed_by_items = nxt is not None and nxt.type == _ITEM and nxt.kind != _PARA
        if text.endswith(":") and len(words) <= 6 and (followed_by_items or len(words) <= 3):
            tok.type, tok.parts = _SUB, [text[:-1].rstrip(" *_")]
        elif (
            followed_by_items
            and len(words) <= 4
            and text[0].isupper()
            and text[-1] not in ".;,)"
            and nxt is not None
            and nxt.indent >= tok.indent
        ):
            tok.type, tok.parts = _SUB, [text]
    return tokens


def _tokenize_inline(text: str) -> list[_Token]:
    """Tokenize collapsed one-line text, using numbering sequences to reject false markers."""
    tokens: list[_Token] = []
    levels: list[list] = []  # active ordered lists as [kind, last value], outermost first
    # Dash and plus bullets are common prose characters: only a text that
    # opens its lists with them uses them as markers.
    dash_style = bool(re.search(r"(?:^|:)\s*-\s", text))
    pos = 0  # start of the text belonging to the current token
    cur: _Token | None = None
    after_break = True  # right after the start, a header or a marker

    def close(end: int) -> None:
        nonlocal cur
        piece = text[pos:end]
        if cur is None:
            if piece.strip():
                tokens.append(_Token(_ITEM, 0, _PARA, 0, [piece]))
        else:
            cur.parts = [piece]
            tokens.append(cur)
        cur = None

    for match in _INLINE_RE.finditer(text):
        m: re.Match[str] | None = match
        start = match.start()
        if start < pos:
            continue
        if match.group("hdr") is not None:
            title = match.group("ititle")
            colon = match.group("hdr").endswith(":")
            # Headers are capitalised; PDQ headings ("See Disease
            # Characteristics" is a cross-reference) count only with a colon.
            if title[:1].isupper() and (colon or not _PDQ_TITLE_RE.match(title)):
                close(start)
                tokens.append(_Token(_HEADER, 0, "", 0, [title]))
                levels.clear()
                pos, after_break = match.end(), True
                continue
            m = _INLINE_MARKER_RE.match(text, start)
            if m is None:
                continue
        # Look back over blanks only: slicing from ``pos`` would be quadratic
        # when many candidates are rejected inside one long item.
        j = start - 1
        while j >= pos and text[j].isspace():
            j -= 1
        empty_before = j < pos
        prev_char = "" if empty_before else text[j]
        if m.group("bul") is not None or m.group("dash") is not None:
            if m.group("dash") is not None and not dash_style:
                continue
            close(start)
            cur = _Token(_ITEM, 0, "*" if m.group("bul") else "-", 0, [])
            pos, after_break = m.end(), True
            continue
        # Unmarked text may end in a glued sub-heading ("... study: Cardiovascular
        # Conditions 1. Any ..."), so a list may start there without punctuation.
        at_break = (after_break and empty_before) or (cur is None and text[m.end() : m.end() + 2].strip()[:1].isupper())
        # First thing in the text or after a header: a list may start at any number ("5. Age over 18").
        opening = after_break and empty_before and cur is None and not levels
        accepted = _accept_ordered(m.group("ord"), levels, at_break, prev_char, m.group("ordnext"), opening=opening)
        if accepted is None:
            continue
        close(start)
        cur = _Token(_ITEM, 0, accepted[0], accepted[1], [])
        pos, after_break = m.end(), True
    close(len(text))
    return _split_trailing_subheadings(tokens)


def _accept_ordered(
    raw: str, levels: list[list], at_break: bool, prev_char: str, next_char: str, *, opening: bool
) -> tuple[str, int] | None:
    """Accept an inline ordered marker only if it continues or plausibly starts a list."""
    candidates = _ordered_candidates(raw)
    glued = not next_char  # "4.Performance": no space after the marker
    for kind, value in candidates:
        # Outermost first: after "3. ... including: 1. 2. 3.", a "4." more
        # likely resumes the outer list than extends the inner one.
        for i in range(len(levels)):
            if levels[i][0] == kind and levels[i][1] == value - 1:
                del levels[i + 1 :]
                levels[i][1] = value
                return kind, value
    if glued:
        return None
    if opening and candidates:
        kind, value = candidates[-1] if candidates[-1][1] == 1 else candidates[0]
        levels.append([kind, value])
        return kind, value
    for kind, value in candidates:
        if value != 1:
            continue
        starts_list = at_break or prev_char == ":" or (kind.startswith("num") and prev_char in ".;")
        if starts_list and len(levels) < _MAX_DEPTH:
            levels.append([kind, 1])
            return kind, value
    return None


def _split_trailing_subheadings(tokens: list[_Token]) -> list[_Token]:
    out: list[_Token] = []
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        m = _TRAILING_SUB_RE.search(tok.parts[0]) if tok.type == _ITEM else None
        if m is not None and nxt is not None and nxt.type == _HEADER and not m.group("colon"):
            # "... Hospital. Control Group Inclusion Criteria:" names a group.
            tok.parts = [tok.parts[0][: m.start()]]
            nxt.parts = [m.group("sub") + " " + nxt.parts[0]]
            out.append(tok)
            continue
        if m is not None and nxt is not None and nxt.type == _ITEM:
            starts_list = nxt.kind != _PARA and nxt.value <= 1
            if m.group("colon") or (starts_list and nxt.kind != tok.kind):
                tok.parts = [tok.parts[0][: m.start()]]
                out.append(tok)
                out.append(_Token(_SUB, 0, "", 0, [m.group("sub")]))
                continue
        out.append(tok)
    return out


@dataclass(slots=True)
class _Open:
    """An item that may still receive children."""

    indent: int
    kind: str
    value: int
    ordinal: int
    depth: int
    colon: bool
    group: bool = False  # opens a choice or list ("one of the following:")
    in_group: bool = False  # a child of such an item at the item's own marker and indent
    has_children: bool = False


def _build(tokens: list[_Token], collapsed: bool) -> list[CriterionItem]:
    items: list[CriterionItem] = []
    section = UNSPECIFIED
    heading: str | None = None
    stack: list[_Open] = []
    after_header = False
    for i, tok in enumerate(tokens):
        if tok.type == _HEADER:
            section = _header_section(tok.parts[0], section)
            heading = _header_heading(tok.parts[0])
            stack.clear()
            after_header = True
            continue
        if tok.type == _SUB:
            heading = _clean(tok.parts[0]) or heading
            stack.clear()
            after_header = True
            continue
        raw = " ".join(tok.parts)
        inner = _INNER_MARKER_RE.match(raw) if tok.kind != _PARA else None
        if inner is not None:
            raw = raw[inner.end() :]
        text = _clean(raw)
        if not text or text in _BULLETS:
            continue
        if after_header and _is_lead_in(text, tokens, i):
            continue
        after_header = False
        parent = _place(stack, tok, text, collapsed, numbered=inner is not None)
        in_group = parent is not None and parent.group and parent.indent == tok.indent and parent.kind == tok.kind
        ordinal = len(items) + 1
        depth = parent.depth + 1 if parent is not None else 0
        if parent is not None:
            parent.has_children = True
        items.append(
            CriterionItem(
                ordinal=ordinal,
                section=section,
                text=text,
                parent_ordinal=parent.ordinal if parent is not None else None,
                depth=depth,
                heading=heading,
            )
        )
        if tok.kind == _PARA and not text.endswith(":"):
            # Plain paragraphs are top-level and never parents: bullets that
            # follow are indented by convention, not because they belong to it.
            stack.clear()
        elif len(stack) < _MAX_DEPTH:
            colon = text.endswith(":")
            group = colon and not in_group and _GROUP_RE.search(text) is not None
            stack.append(_Open(tok.indent, tok.kind, tok.value, ordinal, depth, colon, group, in_group))
    return items


def _short_first_line(parts: list[str]) -> bool:
    """A short first line closed by punctuation, then a note ("Hepatitis C **" / "** A history of ...")."""
    first = parts[0].rstrip()
    return len(parts) > 1 and len(first.split()) <= _MAX_CHILD_WORDS and not first[-1:].isalnum() and first[-1:] != ","


def _is_lead_in(text: str, tokens: list[_Token], i: int) -> bool:
    """A first line that introduces the list and states no condition of its own."""
    if not text.endswith(":") or len(text.split()) > 25 or not _LEADIN_RE.search(text):
        return False
    others = sum(word not in _LEADIN_WORDS for word in _WORD_RE.findall(text.lower()))
    # "Histologically confirmed glioma ..., and satisfying the following:" is a criterion; "Healthy
    # volunteers will be excluded for any of the following:" names who the list is about.
    if others and not (others <= _LEADIN_MAX_OTHER_WORDS and _LEADIN_SCOPE_RE.search(text)):
        return False
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    return nxt is not None and nxt.type != _HEADER


def _child_like(tok: _Token, text: str, numbered: bool) -> bool:
    """Short or numbered inside its bullet, as the alternatives under "one of the following:" are."""
    return numbered or len(text.split()) <= _MAX_CHILD_WORDS or _short_first_line(tok.parts)


def _place(stack: list[_Open], tok: _Token, text: str, collapsed: bool, *, numbered: bool) -> _Open | None:
    """Pop the stack to the new item's parent and return it (None for a root item).

    ``numbered``: the item carried a second, ordered marker inside its bullet ("* 1) ...").
    """
    while stack and stack[-1].indent > tok.indent:
        stack.pop()
    if collapsed and tok.value > 1:
        # Numbering decides: the outermost open list this number continues.
        for j, entry in enumerate(stack):
            if entry.kind == tok.kind and entry.value == tok.value - 1:
                del stack[j:]
                return stack[-1] if stack else None
    # A sibling: the nearest open item of the same marker kind at this indent
    # (for ordered kinds, the one this number continues).
    for j in range(len(stack) - 1, -1, -1):
        entry = stack[j]
        if entry.indent != tok.indent:
            break
        if entry.kind != tok.kind or tok.kind == _PARA:
            continue
        if tok.value and entry.value != tok.value - 1 and tok.value == 1:
            # A list restarting at 1 under an item is a nested list.
            break
        if collapsed and entry.colon and not entry.has_children and tok.kind in "*-+" and j == len(stack) - 1:
            # "...ineligible if: * They received ..." in collapsed text: the
            # same bullet after a colon item is its child.
            return entry
        if not collapsed and not tok.value and (entry.group or entry.in_group):
            child_like = _child_like(tok, text, numbered)
            if entry.group and not entry.has_children and j == len(stack) - 1 and child_like:
                # "* At least one of the following:" then "* diabetes" at the same marker and indent.
                return entry
            if entry.in_group and not child_like:
                # A long item ends the group: it is the group's sibling.
                del stack[j - 1 :]
                return stack[-1] if stack else None
        del stack[j:]
        if collapsed and text.endswith(":") and not entry.colon and stack and stack[-1].kind == tok.kind and stack[-1].colon:
            # A new colon item after plain children closes their group.
            stack.pop()
        return stack[-1] if stack else None
    if stack and stack[-1].indent == tok.indent:
        top = stack[-1]
        nests = (collapsed and top.kind != tok.kind) or top.colon
        if tok.kind == _PARA or not nests:
            stack.pop()
            return stack[-1] if stack else None
    return stack[-1] if stack else None


def split_criteria(text: str | None) -> list[CriterionItem]:
    """Split eligibility criteria text into items in document order."""
    if not text or not text.strip():
        return []
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    collapsed = "\n" not in text.strip()
    if collapsed:
        return _build(_tokenize_inline(_EMPTY_BULLETS_RE.sub("* ", text.strip())), True)
    return _build(_tokenize_lines(text), False)

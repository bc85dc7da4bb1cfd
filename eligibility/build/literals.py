"""The literal words a regular expression cannot match without: a prefilter for the theme classifier.

`required_literals('chemo\\w*|radiotherap\\w*')` is `{"chemo", "radiotherap"}`: any text
the pattern matches contains one of them. The classifier finds every such word of
every pattern in one Aho-Corasick pass over the criteria, and then runs each pattern
only on the criteria that hold one of its words. A criterion without them cannot
match, so the result is the same as searching every criterion, only cheaper.

The words are ASCII letters, digits and punctuation (`g.i.`, `t(`), lower-cased: the
patterns are matched case-insensitively. A word has no space, so the edits the classifier
makes to a text before searching it again (brackets made spaces, ignored phrases masked to
one character) cannot make a word that the text itself lacks. `<` and `>` are left out:
escaped (`\\<`, `\\>`) they are word boundaries to Rust's regex crate, not characters. The
patterns are parsed with Python's own regular-expression parser; the cue syntax (Rust's
regex crate, which polars uses) agrees with it on everything that yields a literal. A
pattern the parser does not accept, or one that can match without any word of at least
`MIN_LENGTH` characters, gets None: it is searched in every criterion.
"""

from __future__ import annotations

import functools
import re
import re._constants as sre  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
from typing import Any

# A one-letter word is in nearly every criterion: no use as a filter.
MIN_LENGTH = 2
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)}


@functools.cache
def required_literals(pattern: str) -> frozenset[str] | None:
    """Lower-case words, one of which is in every text `pattern` matches; None when there are none."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, OverflowError, RecursionError):
        return None
    return _sequence(list(parsed))


# ASCII punctuation that is itself whether escaped or not, in Python's syntax and in Rust's.
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;=?@[]^_`{|}~")


def _is_word_char(code: int) -> bool:
    return code < 128 and (chr(code).isalnum() or chr(code) in _PUNCTUATION)


def _better(found: frozenset[str] | None, best: frozenset[str] | None) -> frozenset[str] | None:
    """The more selective set: longer shortest word, then fewer words."""
    if not found or min(map(len, found)) < MIN_LENGTH:
        return best
    if best is None:
        return found
    return found if (min(map(len, found)), -len(found)) > (min(map(len, best)), -len(best)) else best


def _sequence(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """A concatenation needs every part, so the most selective part's words (or a literal run) will do."""
    best: frozenset[str] | None = None
    run = ""
    for op, argument in items:
        if op is sre.LITERAL and _is_word_char(argument):
            run += chr(argument).lower()
            continue
        best = _better(frozenset([run]) if run else None, best)
        run = ""
        if op is sre.SUBPATTERN:
            best = _better(_sequence(list(argument[-1])), best)
        elif op is getattr(sre, "ATOMIC_GROUP", None):
            best = _better(_sequence(list(argument)), best)
        elif op is sre.BRANCH:
            # Each alternative must have words of its own, or the alternation has none.
            branches = [_sequence(list(branch)) for branch in argument[1]]
            if all(branches):
                best = _better(frozenset().union(*branches), best)  # type: ignore[arg-type]
        elif op in _REPEATS and argument[0] >= 1:
            best = _better(_sequence(list(argument[2])), best)
        # Anything else (a class, a wildcard, a zero-width assertion) ends the run and adds nothing.
    return _better(frozenset([run]) if run else None, best)

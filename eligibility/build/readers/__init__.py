"""One reader per input format, chosen by content (not by file extension).

Every reader turns a ``Source`` into ``StudyRecord`` objects (and ``Problem``
objects for records it must reject or warn about); nothing after this package
knows which format a study came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from eligibility.build.readers import classic_xml, text_export, v2_json
from eligibility.build.records import Problem, StudyRecord
from eligibility.build.sources import Source

_TEXT_EXPORT_RE = re.compile(rb"^(Eligibility Module|NCT ID:|Ignite Creation Date:)", re.MULTILINE)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# A web page (often an error page saved under a .json or .xml name) is not classic XML.
_HTML_RE = re.compile(rb"^(<!doctype\s+html|<html[\s>])", re.IGNORECASE)


def decode_text(source: Source) -> tuple[str, Problem | None]:
    """UTF-8 (with or without BOM); other bytes are replaced and reported, never silently dropped."""
    try:
        return source.data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        problem = Problem(
            "warning",
            source.name,
            "(file)",
            f"not valid UTF-8 (byte {exc.start}); undecodable bytes shown as U+FFFD",
        )
        return source.data.decode("utf-8-sig", errors="replace"), problem


def detect_format(data: bytes) -> str | None:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"{", b"[")):
        return "ctgov-v2-json"
    if head.startswith(b"<"):
        return None if _HTML_RE.match(head) else "ctgov-classic-xml"
    if _TEXT_EXPORT_RE.search(data[:65536]):
        return "eligibility-text"
    return None


def read_source(source: Source) -> Iterator[StudyRecord | Problem]:
    if source.data.startswith(_UTF16_BOMS):
        # Windows tools (PowerShell's ">" redirect, Notepad's "Unicode") write UTF-16 with a
        # byte-order mark; as UTF-8 it reads like any other file.
        source = Source(source.name, source.data.decode("utf-16", errors="replace").encode("utf-8"))
    if not source.data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        yield Problem("rejected", source.name, "(file)", "empty file")
        return
    fmt = detect_format(source.data)
    if fmt == "ctgov-classic-xml":
        yield from classic_xml.read(source)
        return
    if fmt is None:
        yield Problem(
            "rejected",
            source.name,
            "(file)",
            "unsupported format: not ClinicalTrials.gov v2 JSON, classic XML or the eligibility-module text export",
        )
        return
    text, problem = decode_text(source)
    if problem is not None:
        yield problem
    if fmt == "ctgov-v2-json":
        yield from v2_json.read(source.name, text)
    else:
        yield from text_export.read(source.name, text)

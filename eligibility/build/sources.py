"""Walk the user's paths: files, folders (recursively) and zips (nested too), safely.

Yields ``Source`` objects (a display name and the bytes) or ``Problem`` objects
for what could not be opened. Format detection happens in ``readers``.
"""

from __future__ import annotations

import io
import lzma
import os
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from eligibility.build.records import Problem

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"


@dataclass(frozen=True, slots=True)
class ZipLimits:
    """Refuse zip bombs: per-entry size, compression ratio, total size and nesting depth."""

    max_entry_bytes: int = 512 * 1024 * 1024
    max_ratio: float = 200.0
    max_total_bytes: int = 64 * 1024**3
    max_depth: int = 3


DEFAULT_LIMITS = ZipLimits()
# What a damaged or hostile archive raises while being opened or read: zipfile's own errors,
# and the decompressors' (zlib.error for bad deflate data, LZMAError, OSError from bz2).
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    OSError,
    ValueError,
    EOFError,
    NotImplementedError,
    RuntimeError,
)


@dataclass(frozen=True, slots=True)
class Source:
    name: str  # a path, or "archive.zip!entry/path" inside a zip
    data: bytes


def _skip_entry(name: str) -> bool:
    """Mac and OS clutter that is never data: __MACOSX/ AppleDouble twins, .DS_Store, folders."""
    parts = PurePosixPath(name).parts
    return (
        name.endswith("/")
        or "__MACOSX" in parts
        or any(p.startswith("._") for p in parts)
        or (parts and parts[-1] in {".DS_Store", "Thumbs.db"})
    )


# Documentation and media that sit beside data in folders; never study records.
NOT_DATA_SUFFIXES = frozenset(
    {".md", ".markdown", ".rst", ".html", ".htm", ".pdf", ".png", ".jpg", ".jpeg", ".gif", ".py", ".csv", ".xlsx"}
)


def _not_data(name: str) -> bool:
    path = PurePosixPath(name)
    return path.suffix.lower() in NOT_DATA_SUFFIXES or path.name.upper().startswith(("README", "LICENSE"))


def _unsafe_entry(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or bool(PureWindowsPath(name).drive)


def check_entry(info: zipfile.ZipInfo, entry: str, limits: ZipLimits) -> Problem | None:
    """Refuse an entry by its header alone: unsafe path, too large, or suspiciously compressed."""
    if _unsafe_entry(info.filename):
        return Problem(
            "rejected", entry, info.filename, "zip entry path escapes the archive ('..', absolute or a drive letter); skipped"
        )
    if info.file_size > limits.max_entry_bytes:
        return Problem(
            "rejected",
            entry,
            info.filename,
            f"zip entry of {info.file_size:,} bytes exceeds the {limits.max_entry_bytes:,}-byte limit",
        )
    if info.compress_size and info.file_size > 1_000_000 and info.file_size / info.compress_size > limits.max_ratio:
        ratio = info.file_size / info.compress_size
        return Problem(
            "rejected",
            entry,
            info.filename,
            f"zip entry compression ratio {ratio:.0f}:1 exceeds {limits.max_ratio:.0f}:1 (zip bomb?)",
        )
    return None


def data_entries(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    return [i for i in archive.infolist() if not _skip_entry(i.filename) and not _not_data(i.filename)]


def read_entries(
    archive: zipfile.ZipFile, name: str, infos: list[zipfile.ZipInfo], *, limits: ZipLimits, depth: int = 1
) -> Iterator[Source | Problem]:
    """Read the given entries of an open archive (checked entry by entry); nested zips are opened in place."""
    for info in infos:
        entry = f"{name}!{info.filename}"
        problem = check_entry(info, entry, limits)
        if problem is not None:
            yield problem
            continue
        try:
            # Read at most one byte past the limit: a lying header cannot inflate us.
            with archive.open(info) as handle:
                content = handle.read(limits.max_entry_bytes + 1)
        except ZIP_ERRORS as exc:
            yield Problem("rejected", entry, info.filename, f"zip entry could not be read: {exc}")
            continue
        if len(content) > limits.max_entry_bytes:
            yield Problem("rejected", entry, info.filename, "zip entry larger than declared; refused")
            continue
        if content.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
            yield from iter_zip(entry, content, limits=limits, depth=depth + 1)
        else:
            yield Source(entry, content)


def _over_total(name: str, infos: list[zipfile.ZipInfo], limits: ZipLimits) -> tuple[list[zipfile.ZipInfo], Problem | None]:
    """The entries that fit in the archive's total-size budget, and a problem for the rest."""
    total = 0
    for index, info in enumerate(infos):
        total += info.file_size
        if total > limits.max_total_bytes:
            reason = f"archive expands beyond {limits.max_total_bytes:,} bytes; {len(infos) - index:,} entries from here on were not read"
            return infos[:index], Problem("rejected", f"{name}!{info.filename}", info.filename, reason)
    return infos, None


def iter_zip(name: str, data: bytes, *, limits: ZipLimits, depth: int = 1) -> Iterator[Source | Problem]:
    if depth > limits.max_depth:
        yield Problem("rejected", name, "(archive)", f"zip nested deeper than {limits.max_depth} levels")
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = data_entries(archive)
    except ZIP_ERRORS as exc:
        yield Problem("rejected", name, "(archive)", f"not a readable zip file: {exc}")
        return
    with archive:
        infos, problem = _over_total(name, infos, limits)
        yield from read_entries(archive, name, infos, limits=limits, depth=depth)
        if problem is not None:
            yield problem


@dataclass(frozen=True, slots=True)
class ZipBatch:
    """A run of entries of a zip on disk, read by whichever process handles the batch."""

    path: str
    entries: tuple[str, ...]


def plan_zip(path: Path, *, limits: ZipLimits, batch: int) -> Iterator[ZipBatch | list[Source | Problem]]:
    """Split a zip on disk into batches of entry names, after checking the archive as a whole.

    What cannot go to a worker by name comes as a list of sources and problems (the
    task shape of loose files): the reason an archive cannot be opened, and entries
    hidden behind a later entry of the same name, which a lookup by name never finds.
    """
    name = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            infos, problem = _over_total(name, data_entries(archive), limits)
            last = {info.filename: info for info in infos}
            shadowed = list(read_entries(archive, name, [i for i in infos if last[i.filename] is not i], limits=limits))
    except ZIP_ERRORS as exc:
        yield [Problem("rejected", name, "(archive)", f"not a readable zip file: {exc}")]
        return
    if shadowed:
        yield shadowed
    names = list(last)
    for start in range(0, len(names), batch):
        yield ZipBatch(name, tuple(names[start : start + batch]))
    if problem is not None:
        yield [problem]


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__MACOSX")
                for file in sorted(files):
                    # Files named on the command line are always tried; inside folders,
                    # documentation beside the data is passed over, and so are devices,
                    # pipes and sockets (or links to them), whose reading never ends:
                    # /dev/zero fills memory, a pipe blocks forever.
                    path_in_folder = Path(root) / file
                    special = path_in_folder.exists() and not path_in_folder.is_file()
                    if not _skip_entry(file) and not _not_data(file) and not special:
                        yield path_in_folder
        else:
            yield path


Task = list[Source | Problem] | ZipBatch
"""A unit of work for one process: loose files already read, or a run of zip entries read by name."""
ENTRIES_PER_TASK = 500
TASK_BYTES = 8 * 1024 * 1024


def plan_tasks(
    paths: Iterable[Path], *, limits: ZipLimits = DEFAULT_LIMITS, entries: int = ENTRIES_PER_TASK, task_bytes: int = TASK_BYTES
) -> Iterator[Task]:
    """Cut the input into tasks of bounded size: zip entries by name, other files by content."""
    batch: list[Source | Problem] = []
    size = 0
    for path in iter_files(paths):
        try:
            with path.open("rb") as handle:
                magic = handle.read(4)
            if magic in (ZIP_MAGIC, EMPTY_ZIP_MAGIC):
                yield from plan_zip(path, limits=limits, batch=entries)
                continue
            data = path.read_bytes()
        except OSError as exc:
            batch.append(Problem("rejected", str(path), "(file)", f"cannot read file: {exc.strerror or exc}"))
            continue
        batch.append(Source(str(path), data))
        size += len(data)
        if size >= task_bytes or len(batch) >= entries:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def task_items(task: Task, *, limits: ZipLimits, open_zips: dict[str, zipfile.ZipFile]) -> Iterable[Source | Problem]:
    """The sources of one task; a zip is opened once per process and kept in ``open_zips``."""
    if isinstance(task, ZipBatch):
        archive = open_zips.get(task.path)
        if archive is None:
            archive = open_zips[task.path] = zipfile.ZipFile(task.path)
        return read_entries(archive, task.path, [archive.getinfo(e) for e in task.entries], limits=limits)
    return task


def iter_sources(paths: Iterable[Path], *, limits: ZipLimits = DEFAULT_LIMITS) -> Iterator[Source | Problem]:
    """Every source under ``paths``, in the order ingest reads them (one process)."""
    open_zips: dict[str, zipfile.ZipFile] = {}
    try:
        for task in plan_tasks(paths, limits=limits):
            yield from task_items(task, limits=limits, open_zips=open_zips)
    finally:
        for archive in open_zips.values():
            archive.close()

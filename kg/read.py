"""Files → Document: find inputs, detect the encoding, take the main text of web pages.

Decoding lives here and nowhere else; the decoded text is the coordinate system for
every span that later stages report.
"""
from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError, counted, printable
from kg.model import Document
from kg.store_folder import is_store

TEXT_SUFFIXES = {".txt", ".text", ".htm", ".html", ".xhtml"}
HTML_SUFFIXES = {".htm", ".html", ".xhtml"}
# Encodings Chinese notices come in. GB18030 is a superset of GBK and GB2312.
CANDIDATE_ENCODINGS = ("utf_8", "gb18030", "big5")
# A notice is tens of kilobytes; a file far larger is a dump or an archive, not a notice.
MAX_BYTES = int(os.environ.get("KG_MAX_BYTES", 20 * 1024 * 1024))


@dataclass
class Inputs:
    sources: list[str]  # notices, in input order ("-" for stdin)
    skipped: list[str] = field(default_factory=list)  # files in the folders that are not notices
    # (path, kind) of what in the folders is not a regular file: reading a FIFO waits forever
    not_files: list[tuple[str, str]] = field(default_factory=list)

    def skipped_summary(self, shown: int = 5) -> str | None:
        """One line saying which files were passed over and why (one line per reason)."""
        lines = []
        if self.skipped:
            kinds = sorted({Path(p).suffix.lower() or "(no suffix)" for p in self.skipped})
            what = "is not a notice" if len(self.skipped) == 1 else "are not notices"
            lines.append(f"skipped {counted(len(self.skipped), 'file')} that {what} ({', '.join(kinds)}; notices are "
                         f"{', '.join(sorted(TEXT_SUFFIXES))}): {_names(self.skipped, shown)}")
        if self.not_files:
            kinds = sorted({kind for _, kind in self.not_files})
            what = "is not a regular file" if len(self.not_files) == 1 else "are not regular files"
            lines.append(f"skipped {counted(len(self.not_files), 'entry', 'entries')} that {what} ({', '.join(kinds)}): "
                         f"{_names([p for p, _ in self.not_files], shown)}")
        return "\n".join(lines) or None


def _names(paths: list[str], shown: int) -> str:
    more = f" … and {len(paths) - shown} more" if len(paths) > shown else ""
    return ", ".join(printable(p) for p in paths[:shown]) + more


def not_a_file(mode: int) -> str | None:
    """What a path whose stat mode is `mode` is, if not a regular file or a folder."""
    for test, kind in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device")):
        if test(mode):
            return kind
    return None


def collect_inputs(paths: Iterable[str], *, missing_ok: bool = False) -> Inputs:
    """The notices `paths` name (files, folders searched recursively, "-" for stdin).

    Raises InputError, before anything is read or written, for a path that does not
    exist (unless `missing_ok`: then it stays in the list, for reading to report in input
    order), for a kg store given as notices, and when no notice is left. A FIFO, socket
    or device named here stays in the list: reading refuses it, in input order."""
    paths = list(paths)
    inputs = Inputs([])
    for path in paths:
        if path == "-":
            inputs.sources.append(path)
        elif is_store(path):
            raise InputError(path, "is a kg store, not a folder of notices (a store is given with --db)")
        elif os.path.isdir(path):
            _walk(path, inputs)
        elif os.path.lexists(path) or missing_ok:
            inputs.sources.append(path)
        else:
            raise InputError(path, "no such file or folder")
    if not inputs.sources:
        where = ", ".join(printable(p) for p in paths) or "(no path given)"
        summary = inputs.skipped_summary()
        found = f"; {summary.replace(chr(10), '; ')}" if summary else ""
        raise InputError(where, f"no notices here (files ending {', '.join(sorted(TEXT_SUFFIXES))}){found}")
    return inputs


def _walk(folder: str, inputs: Inputs) -> None:
    """Add what is under `folder`, sorted, to `inputs`: notice files to its sources, other
    files to skipped, FIFOs, sockets and devices to not_files (never opened); hidden
    entries, kg stores and links to folders are passed over."""
    notices, others, odd = [], [], []
    pending = [folder]
    while pending:
        root = pending.pop()
        try:
            entries = list(os.scandir(root))
        except OSError:  # a folder that vanished or cannot be listed, as os.walk does
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir():  # links to folders are not followed (as os.walk does not)
                    if not entry.is_symlink() and not is_store(entry.path):
                        pending.append(entry.path)
                    continue
                # the entry's type answers for a regular file: no stat per notice
                kind = None if entry.is_file() else not_a_file(entry.stat().st_mode)
            except OSError:  # a dangling link: kept, for reading to report
                kind = None
            if kind is not None:
                odd.append((entry.path, kind))
            else:
                (notices if Path(entry.name).suffix.lower() in TEXT_SUFFIXES else others).append(entry.path)
    inputs.sources.extend(sorted(notices))
    inputs.skipped.extend(sorted(others))
    inputs.not_files.extend(sorted(odd))


def iter_sources(paths: Iterable[str]) -> Iterator[str]:
    """Expand folders (recursively, sorted) into the text and HTML files under them.

    Files named explicitly are kept whatever their suffix; "-" stands for stdin.
    A path that does not exist is yielded as is, so that reading it reports the error
    in input order.
    """
    for path in paths:
        if path != "-" and os.path.isdir(path):
            found = Inputs([])
            _walk(path, found)
            yield from found.sources
        else:
            yield path


def read_source(source: str) -> Document:
    """Read one path (or "-" for stdin) into a Document, or raise InputError."""
    if source == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise InputError("-", "stdin is a terminal; pipe a notice in, e.g. `cat notice.txt | kg extract -`")
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise InputError("-", f"larger than {MAX_BYTES:,} bytes: not a notice (raise KG_MAX_BYTES to read it)")
    else:
        try:
            # Never open a FIFO or a device: opening one waits for a writer (or acts on the device).
            if (kind := not_a_file(os.stat(source).st_mode)) is not None:
                raise InputError(source, f"not a regular file ({kind})")
            with open(source, "rb", opener=_no_wait) as f:
                st = os.fstat(f.fileno())
                if (kind := not_a_file(st.st_mode)) is not None:  # swapped in since the stat
                    raise InputError(source, f"not a regular file ({kind})")
                size = st.st_size
                if size > MAX_BYTES:
                    raise InputError(source, f"{size:,} bytes, larger than {MAX_BYTES:,}: not a notice "
                                             "(raise KG_MAX_BYTES to read it)")
                data = f.read()
        except FileNotFoundError:
            raise InputError(source, "no such file") from None
        except PermissionError:
            raise InputError(source, "permission denied") from None
        except IsADirectoryError:
            raise InputError(source, "is a directory") from None
        except OSError as e:
            raise InputError(source, f"cannot be read ({e.strerror or e})") from None
    is_html = Path(source).suffix.lower() in HTML_SUFFIXES or _looks_like_html(data)
    return read_bytes(data, source, html=is_html)


def _no_wait(path: str, flags: int) -> int:
    """Open without waiting: a FIFO that replaced a file since it was checked opens at once."""
    return os.open(path, flags | os.O_NONBLOCK)


def read_bytes(data: bytes, source: str = "<bytes>", *, html: bool = False) -> Document:
    """Decode raw bytes into a Document; `html` takes the page's main text."""
    if not data.strip():
        raise InputError(source, "empty file")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(source, "binary content, not a text notice")
    text, encoding = decode(data, source)
    if html:
        text = html_main_text(text, source)
    return Document(
        source=printable(source),  # what records, stores and messages name
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        media_type="text/html" if html else "text/plain",
        text=text,
    )


def decode(data: bytes, source: str = "<bytes>") -> tuple[str, str]:
    """Return (text, encoding). Byte-order marks win; then strict UTF-8; then the
    Chinese legacy encodings, choosing by charset-normalizer's coherence check."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf_8_sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf_16"
        except UnicodeDecodeError:
            raise InputError(source, "invalid UTF-16 text") from None
    try:
        return data.decode("utf-8"), "utf_8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(CANDIDATE_ENCODINGS[1:])).best()
    if best is None:
        raise InputError(source, "not decodable as UTF-8, GB18030/GBK or Big5 (binary file?)")
    text = str(best)
    if _control_ratio(text) > 0.01:
        raise InputError(source, "binary content, not a text notice")
    return text, best.encoding


def html_main_text(page: str, source: str = "<html>") -> str:
    """The article text of a web page, without navigation, scripts or footers."""
    import trafilatura

    extracted = trafilatura.bare_extraction(
        page, include_comments=False, include_tables=True, favor_recall=True, with_metadata=True
    )
    text = (extracted.text if extracted else "") or ""
    if not text.strip():
        raise InputError(source, "HTML page has no main text")
    title = (extracted.title or "").strip()
    if title and title not in text[:300]:
        text = title + "\n" + text  # the headline is the notice's title
    return text


def _looks_like_html(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    bad = sum(1 for c in sample if ord(c) < 32 and c not in "\r\n\t\f")
    return bad / max(1, len(sample))

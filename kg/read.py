"""Files → Document: find inputs, detect the encoding, take the main text of web pages.

Decoding lives here and nowhere else; the decoded text is the coordinate system for
every span that later stages report. A feed or a web archive is expanded into its items
(kg.feeds), each a source of its own, `FILE#KEY`, read back by read_source like a file.
"""
from __future__ import annotations

import hashlib
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg import feeds
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
                         f"{', '.join(sorted(TEXT_SUFFIXES))}, feeds {', '.join(feeds.FEED_SUFFIXES)} with a text or "
                         f"html field, web archives {', '.join(feeds.WARC_SUFFIXES)}): {_names(self.skipped, shown)}")
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
            _add(path, inputs, in_folder=False)
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
            elif Path(entry.name).suffix.lower() in TEXT_SUFFIXES or feeds.is_container(entry.name):
                notices.append(entry.path)
            else:
                others.append(entry.path)
    for path in sorted(notices):
        if not _add(path, inputs, in_folder=True):
            others.append(path)
    inputs.skipped.extend(sorted(others))
    inputs.not_files.extend(sorted(odd))


def _add(path: str, inputs: Inputs, in_folder: bool) -> bool:
    """Add `path` to inputs.sources: a feed or web archive as its items (FILE#KEY), any
    other file as itself. False for a .json or .csv in a folder that is not a feed: not a
    notice, like a .pdf. A container that cannot be read is added whole, for reading to
    report in input order."""
    if not feeds.is_container(path) or not os.path.isfile(path):  # never open a FIFO here
        inputs.sources.append(path)
        return True
    try:
        found = feeds.items(path)
    except InputError:
        if in_folder and not path.lower().endswith((".jsonl", ".ndjson", *feeds.WARC_SUFFIXES)):
            return False
        inputs.sources.append(path)
        return True
    inputs.sources.extend(f"{path}#{item.key}" for item in found)
    return True


def iter_sources(paths: Iterable[str]) -> Iterator[str]:
    """Expand folders (recursively, sorted) into the text and HTML files under them.

    Files named explicitly are kept whatever their suffix; "-" stands for stdin.
    A path that does not exist is yielded as is, so that reading it reports the error
    in input order.
    """
    for path in paths:
        found = Inputs([])
        if path != "-" and os.path.isdir(path):
            _walk(path, found)
        elif path != "-" and os.path.lexists(path):
            _add(path, found, in_folder=False)
        else:
            found.sources.append(path)
        yield from found.sources


def read_source(source: str) -> Document:
    """Read one path (or "-" for stdin, or FILE#KEY for an item of a feed or web
    archive) into a Document, or raise InputError."""
    container, key = feeds.split(source)
    if key is not None or (source != "-" and feeds.is_container(source)):
        return _read_item(source, container, key)
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


def _read_item(source: str, container: str, key: str | None) -> Document:
    """The item `key` of the feed or web archive `container` (named `source`)."""
    try:
        if (kind := not_a_file(os.stat(container).st_mode)) is not None:
            raise InputError(container, f"not a regular file ({kind})")
    except FileNotFoundError:
        raise InputError(container, "no such file") from None
    except OSError as e:
        raise InputError(container, f"cannot be read ({e.strerror or e})") from None
    if key is None:  # read whole only through collect_inputs, which lists its items
        n = len(feeds.items(container))
        raise InputError(container, f"holds {n} items: give it to kg build or kg extract (in Python, "
                                    "kg.read.collect_inputs lists its items as FILE#KEY)")
    item = feeds.item(container, key)
    where = item.where + (f" ({item.url})" if item.url else "")
    if item.data is None:
        raise InputError(container, f"{where}: {item.missing}")
    if len(item.data) > MAX_BYTES:
        raise InputError(container, f"{where}: {len(item.data):,} bytes, larger than {MAX_BYTES:,}: not a notice "
                                    "(raise KG_MAX_BYTES to read it)")
    try:
        return read_bytes(item.data, source, html=item.html, charset=item.charset, url=item.url,
                          fetched=item.fetched)
    except InputError as e:
        raise InputError(container, f"{where}: {e.reason}") from None


def _no_wait(path: str, flags: int) -> int:
    """Open without waiting: a FIFO that replaced a file since it was checked opens at once."""
    return os.open(path, flags | os.O_NONBLOCK)


def read_bytes(data: bytes, source: str = "<bytes>", *, html: bool = False, charset: str | None = None,
               url: str | None = None, fetched: str | None = None) -> Document:
    """Decode raw bytes into a Document; `html` takes the page's main text (and the URL
    a saved page names, where `url` is not given). `charset`: as an HTTP header declared
    it, tried before detection."""
    if not data.strip():
        raise InputError(source, "empty file")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(source, "binary content, not a text notice")
    text, encoding = _declared(data, charset) or decode(data, source)
    if html:
        url = url or page_url(text)
        text = html_main_text(text, source)
    return Document(
        source=printable(source),  # what records, stores and messages name
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        media_type="text/html" if html else "text/plain",
        text=text,
        url=url,
        fetched=fetched,
    )


def _declared(data: bytes, charset: str | None) -> tuple[str, str] | None:
    """(text, encoding) by the declared charset, or None to detect: no charset, a BOM
    (it wins), an unknown name, or bytes it does not decode (servers misdeclare)."""
    import codecs

    if not charset or data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return None
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        return None
    if name in ("gb2312", "gbk", "euc_cn"):  # pages declared GB2312 use GBK's and GB18030's characters
        name = "gb18030"
    try:
        return data.decode(name), name.replace("-", "_")
    except UnicodeDecodeError:
        return None


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


_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)\s*(\S+?)\s*-->", re.I)
_TAG = re.compile(r"<(link|meta)\b[^>]*>", re.I)
_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def page_url(page: str) -> str | None:
    """The URL a saved page names: the saved-from comment a browser writes, else its
    canonical link, else og:url; only absolute http(s) URLs."""
    import html
    from urllib.parse import urljoin

    head = page[:200_000]
    saved = _SAVED_FROM.search(head)
    base = saved.group(1) if saved else None
    found = {}
    for tag in _TAG.finditer(head):
        attrs = {m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
                 for m in _ATTR.finditer(tag.group(0))}
        if tag.group(1).lower() == "link" and "canonical" in attrs.get("rel", "").lower().split():
            found.setdefault("canonical", attrs.get("href"))
        elif attrs.get("property", attrs.get("name", "")).lower() == "og:url":
            found.setdefault("og", attrs.get("content"))
    for url in (base, found.get("canonical"), found.get("og")):
        if url:
            url = urljoin(base, url.strip()) if base else url.strip()
            if re.match(r"https?://", url, re.I):
                return url
    return None

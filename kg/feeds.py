"""Scraped archives → items: a scraper's feed (JSON Lines, JSON, CSV) or a web archive (WARC).

A notice is not a file: a feed holds one page per item, a WARC file one per response
record. Each item keeps its URL and fetch time, and is named `FILE#KEY` in the corpus,
KEY being stable across crawls where it can be: the item's URL (a counter after a
repeated one), else its place (`line-3` in JSON Lines and CSV, `item-3` in a JSON array).
kg.read expands a container into its items and reads `FILE#KEY` back; a container is
parsed once per process and file state (the items of one file come one after another).

Which field holds what is guessed from the names scrapers use (Scrapy's feed exports and
the like), or given with `--field ROLE=NAME` (set_fields): roles are url, title, html,
text and fetched. A file is a feed when its suffix is .jsonl/.ndjson/.json/.csv and some
item carries a text or html field; an item without one is reported, the others read.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

from kg.errors import InputError

FEED_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv")
WARC_SUFFIXES = (".warc", ".warc.gz")
CONTAINER_SUFFIXES = FEED_SUFFIXES + WARC_SUFFIXES

# role → the field names tried, in order (the first present with a value wins)
DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "url": ("url", "link", "href", "page_url", "source_url", "canonical_url"),
    "title": ("title", "headline"),
    "text": ("text", "body", "content", "article", "article_body", "main_text", "fulltext"),
    "html": ("html", "raw_html", "body_html", "content_html"),
    "fetched": ("fetched", "crawled", "fetched_at", "crawled_at", "scraped_at", "crawl_time", "fetch_time",
                "timestamp"),
}
ROLES = tuple(DEFAULT_FIELDS)

# Set by the commands from --field; workers are forked, so they see it too.
_mapping: dict[str, str] = {}


def set_fields(mapping: dict[str, str]) -> None:
    """Use `mapping` (role → field name) over the default names, for every feed read."""
    unknown = sorted(set(mapping) - set(ROLES))
    if unknown:
        raise InputError("--field", f"unknown role {', '.join(unknown)} (roles: {', '.join(ROLES)})")
    _mapping.clear()
    _mapping.update(mapping)
    _items.cache_clear()


def fields() -> dict[str, str]:
    """The mapping in use (recorded with a store: another mapping reads other text)."""
    return dict(_mapping)


def parse_fields(given: list[str]) -> dict[str, str]:
    """`["text=article_body", "url=link"]` → {"text": "article_body", "url": "link"}."""
    mapping = {}
    for entry in given:
        role, sep, name = entry.partition("=")
        if not sep or not role.strip() or not name.strip():
            raise InputError("--field", f"{entry!r}: write ROLE=FIELD, e.g. text=article_body")
        mapping[role.strip()] = name.strip()
    return mapping


@dataclass(frozen=True)
class Item:
    key: str  # its name inside its file: FILE#KEY
    where: str  # "line 3", "item 3", "record at byte 1234": for messages
    data: bytes | None  # the page or text, as bytes (hashed); None: nothing to read, see `missing`
    html: bool
    url: str | None = None
    fetched: str | None = None  # ISO 8601
    charset: str | None = None  # as the HTTP header declared it
    missing: str | None = None  # why the item cannot be read


def is_container(path: str) -> bool:
    return path.lower().endswith(CONTAINER_SUFFIXES)


def split(source: str) -> tuple[str, str | None]:
    """(container file, item key) of `FILE#KEY`; (source, None) for a file. The first
    `#` after a container's suffix separates them (a URL key may hold `#` too)."""
    lower = source.lower()
    for suffix in CONTAINER_SUFFIXES:
        at = lower.find(suffix + "#")
        while at != -1:
            end = at + len(suffix)
            if end < len(source) and not os.path.lexists(source):
                return source[:end], source[end + 1:]
            at = lower.find(suffix + "#", at + 1)
    return source, None


def items(path: str) -> list[Item]:
    """The items of the feed or web archive at `path`, in file order; InputError if it
    cannot be read or is not a feed."""
    return list(_indexed(path).values())


def item(path: str, key: str) -> Item:
    found = _indexed(path).get(key)
    if found is None:
        raise InputError(f"{path}#{key}", "no such item in its file (the file changed since it was listed?)")
    return found


def _indexed(path: str) -> dict[str, Item]:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as e:
        raise InputError(path, f"cannot be read ({e.strerror or e})") from None
    return _items(path, st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=4)  # by file state: a changed file is read again
def _items(path: str, size: int, mtime_ns: int) -> dict[str, Item]:
    """key → item, in file order (dicts keep it): a build reads each item by its key."""
    return {it.key: it for it in _read(path)}


def _read(path: str) -> list[Item]:
    if path.lower().endswith(WARC_SUFFIXES):
        return _warc_items(path)
    found = _feed_items(path)
    if not any(it.data is not None for it in found):
        names = "/".join(DEFAULT_FIELDS["text"][:3] + DEFAULT_FIELDS["html"][:1])
        raise InputError(path, f"not a feed: no item has a text or html field ({names} …; name yours with "
                               "--field text=NAME or --field html=NAME)")
    return found


# -- feeds ----------------------------------------------------------------------------

def _feed_items(path: str) -> list[Item]:
    from kg.read import decode  # decoding lives in kg.read (a GBK CSV is not rare)

    try:
        with open(path, "rb") as f:
            data = f.read()
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except OSError as e:
        raise InputError(path, f"cannot be read ({e.strerror or e})") from None
    if not data.strip():
        raise InputError(path, "empty file")
    text, _ = decode(data, path)
    lower = path.lower()
    if lower.endswith(".csv"):
        rows = _csv_rows(text)
    elif lower.endswith(".json"):
        rows = _json_rows(text, path)
    else:
        rows = _jsonl_rows(text)
    return _keyed([_item(row, where, place) for row, where, place in rows])


def _jsonl_rows(text: str):
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            row = f"not JSON ({e.msg} at column {e.colno})"
        yield row, f"line {n}", f"line-{n}"


def _json_rows(text: str, path: str):
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(path, f"not JSON ({e.msg} at line {e.lineno})") from None
    if isinstance(doc, dict):  # an object holding the array: {"items": [...]}
        doc = next((v for v in doc.values() if isinstance(v, list) and any(isinstance(x, dict) for x in v)), None)
    if not isinstance(doc, list):
        raise InputError(path, "not a feed: neither an array of items nor an object holding one")
    for n, row in enumerate(doc, 1):
        yield row, f"item {n}", f"item-{n}"


def _csv_rows(text: str):
    csv.field_size_limit(2**31 - 1)  # a page is one field: far beyond csv's 128 KB default
    reader = csv.DictReader(io.StringIO(text, newline=""))
    start = 2  # the header is line 1
    for row in reader:
        yield row, f"line {start}", f"line-{start}"
        start = reader.line_num + 1


def _field(row: dict, role: str):
    names = (_mapping[role],) if role in _mapping else DEFAULT_FIELDS[role]
    for name in names:
        value = row.get(name)
        if isinstance(value, list):  # paragraphs as a list (Scrapy's extract())
            value = "\n".join(str(v) for v in value if v is not None)
        if value not in (None, ""):
            return value
    return None


def _item(row, where: str, place: str) -> Item:
    if not isinstance(row, dict):
        why = row if isinstance(row, str) else f"not an object ({type(row).__name__})"
        return Item(place, where, None, False, missing=why)
    url = _url(_field(row, "url"))
    fetched = iso_time(_field(row, "fetched"))
    key = url or place
    text, page = _field(row, "text"), _field(row, "html")
    if isinstance(text, str) and _is_markup(text):  # a "body" that is the page's HTML
        text, page = None, page or text
    if text is None and page is None:
        names = _mapping.get("text") or "/".join(DEFAULT_FIELDS["text"][:3])
        return Item(key, where, None, False, url, fetched,
                    missing=f"no text field ({names} or html; name it with --field text=NAME)")
    if text is not None:
        text = str(text)
        title = _field(row, "title")
        if isinstance(title, str) and title.strip() and title.strip() not in text[:300]:
            text = title.strip() + "\n" + text  # the headline is the notice's title, as for a page
        return Item(key, where, text.encode("utf-8"), False, url, fetched)
    return Item(key, where, str(page).encode("utf-8"), True, url, fetched, charset="utf-8")


def _is_markup(value: str) -> bool:
    return value.lstrip().startswith("<") and re.search(r"</(p|div|span|body|html|br|td)>|<br\s*/?>", value, re.I) is not None


def _url(value) -> str | None:
    value = str(value).strip() if value is not None else ""
    return value or None


def iso_time(value) -> str | None:
    """A fetch time as ISO 8601 (seconds; UTC for epoch numbers), or None if it is none."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value  # milliseconds since 1970
        return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds")
    text = str(value).strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if len(text) == 10:  # a date alone stays a date
        return parsed.date().isoformat()
    return parsed.isoformat(timespec="seconds")


def _keyed(found: list[Item]) -> list[Item]:
    """Keys made unique: the second item at a URL is URL#2, and so on."""
    seen: set[str] = set()
    out = []
    for it in found:
        key, n = it.key, 1
        while key in seen:
            n += 1
            key = f"{it.key}#{n}"
        seen.add(key)
        out.append(it if key == it.key else Item(key, *_rest(it)))
    return out


def _rest(it: Item) -> tuple:
    return it.where, it.data, it.html, it.url, it.fetched, it.charset, it.missing


# -- web archives -----------------------------------------------------------------------

def _warc_items(path: str) -> list[Item]:
    """The HTML pages fetched with status 200: response records, text/html."""
    from warcio.archiveiterator import ArchiveIterator  # only a build from a WARC needs warcio
    from warcio.exceptions import ArchiveLoadFailed

    found = []
    try:
        with open(path, "rb") as f:
            archive = ArchiveIterator(f)
            for record in archive:
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                if record.http_headers.get_statuscode() != "200":
                    continue
                ctype = record.http_headers.get_header("Content-Type") or ""
                if "html" not in ctype.lower():
                    continue
                uri = _url(record.rec_headers.get_header("WARC-Target-URI"))
                charset = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", ctype, re.I)
                data = record.content_stream().read()  # de-chunked and decompressed
                where = f"record at byte {archive.get_record_offset()}"  # after reading: it reads to the end
                found.append(Item(uri or where, where, data, True, uri,
                                  iso_time(record.rec_headers.get_header("WARC-Date")),
                                  charset.group(1) if charset else None))
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as e:
        raise InputError(path, f"not a readable WARC file ({e})") from None
    if not found:
        raise InputError(path, "no HTML page in this web archive (response records, HTTP 200, text/html)")
    return _keyed(found)

"""Problem themes: what the problems notices report are about, across organizations.

Problems are short sentences (贯彻落实第一议题不到位, "三重一大"决策制度执行不严格). They are
segmented with jieba, with the domain's fixed expressions kept whole (kg/data/themes.json,
plus a user's own terms), and the formulaic words every problem has (落实, 不到位 …) are
dropped. A theme is ranked by how many organizations raise it, not by raw frequency:
one notice repeating a word does not make a trend. Each theme keeps its problems, so a
user can read the sentences behind it (kg explain THEME).
"""
from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.data import load
from kg.errors import InputError

WORD = re.compile(r"[\u4e00-\u9fff]{2,}")
# Part-of-speech tags that name what a problem is about: nouns, verbal nouns, fixed terms.
THEME_TAGS = ("n", "vn", "nz", "l", "j")


@dataclass
class Theme:
    term: str
    organizations: set[str] = field(default_factory=set)
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (problem key, document, text)


# jieba's blocks of text it segments with its dictionary (jieba.posseg.re_han_internal).
HAN_BLOCK = re.compile("[\u4E00-\u9FD5a-zA-Z0-9+#&\\._]+")


class Segmenter:
    """What jieba.posseg cuts with HMM=False (dictionary words and their tags), without
    what makes jieba.posseg slow to start: importing its HMM tables (unused here) and
    parsing the tags from its 5 MB dictionary (kept, with the word frequencies, in one
    marshal file beside jieba's own cache). 0.4 s instead of 1.1 s: an incremental build
    of a few notices pays it once."""

    def __init__(self, terms: Iterable[str]):
        import jieba

        jieba.setLogLevel(logging.WARNING)  # jieba announces its dictionary on stderr
        self.tokenizer = jieba.Tokenizer()
        self.tokenizer.FREQ, self.tokenizer.total, self.tags = _dictionary(self.tokenizer)
        self.tokenizer.initialized = True  # what initialize() would have loaded is loaded
        for term in terms:
            self.tokenizer.add_word(term, freq=10**6)  # a fixed expression stays one token
            self.tags[term] = "nz"

    def cut(self, text: str) -> Iterator[tuple[str, str]]:
        """(word, tag) in order; a word the dictionary does not tag is "x", as in jieba."""
        for block in HAN_BLOCK.findall(text):
            route: dict = {}
            self.tokenizer.calc(block, self.tokenizer.get_DAG(block), route)
            start = 0
            while start < len(block):
                end = route[start][1] + 1
                yield block[start:end], self.tags.get(block[start:end], "x")
                start = end


def _dictionary(tokenizer) -> tuple[dict, int, dict]:
    """(word and prefix frequencies, their total, word tags) of jieba's dictionary, from
    the marshal file if it is there, else made and saved (atomically: workers may race)."""
    import marshal
    import os
    import tempfile

    import jieba

    source = Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME)  # the Tokenizer() of Segmenter reads it
    stat = source.stat()
    folder = Path(tokenizer.tmp_dir or tempfile.gettempdir())
    cache = folder / f"kg-jieba-{jieba.__version__}-{marshal.version}-{stat.st_size}-{stat.st_mtime_ns}.marshal"
    try:
        return marshal.loads(cache.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        pass
    tokenizer.initialize()
    tags = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.strip():
            word, _, tag = line.strip().split(" ")  # "word frequency tag", as jieba.posseg reads it
            tags[word] = tag
    loaded = (tokenizer.FREQ, tokenizer.total, tags)
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".kg-jieba-", delete=False) as f:
            f.write(marshal.dumps(loaded))
        os.replace(f.name, cache)
    except OSError:  # a folder we cannot write to: load from the text next time too
        pass
    return loaded


@lru_cache(maxsize=1)
def _segmenter(extra: tuple[str, ...] = ()) -> Segmenter:
    return Segmenter((*load("themes.json")["terms"], *extra))


def read_terms(path: str | None) -> tuple[str, ...]:
    """A user's own terms: one per line, # comments allowed."""
    if not path:
        return ()
    # A file that cannot be read is the user's to fix: one line naming it, never a traceback.
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(path, "no such file of terms") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not a file of terms (one per line)") from None
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text: terms are read one per line, in UTF-8") from None
    except OSError as e:
        raise InputError(path, f"cannot be read ({e.strerror or e})") from None
    return tuple(t.strip() for t in lines if t.strip() and not t.lstrip().startswith("#"))


@lru_cache(maxsize=200_000)
def terms_of(text: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The theme words of one problem, in order, each once (cached: corpora repeat problems)."""
    formulaic = set(load("themes.json")["formulaic"])
    words = []
    for token, tag in _segmenter(extra).cut(text):  # dictionary words only (no HMM): 4× faster, same themes mostly
        if WORD.fullmatch(token) and tag.startswith(THEME_TAGS) and token not in formulaic and token not in words:
            words.append(token)
    return tuple(words)


def problem_terms(text: str, stored: str | None, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """A problem's themes: as the build stored them, or with a user's own terms, anew."""
    if extra:
        return terms_of(text, extra)
    return _stored(stored) if stored else ()


@lru_cache(maxsize=100_000)
def _stored(value: str) -> tuple[str, ...]:
    return tuple(json.loads(value))


def themes(problems: Iterable[tuple[str, str, str, str | None, str | None]], extra: tuple[str, ...] = ()) -> list[Theme]:
    """Themes of (problem key, document, text, organization, stored themes) rows, most
    organizations first."""
    found: dict[str, Theme] = defaultdict(lambda: Theme(""))
    for key, doc, text, org, stored in problems:
        for term in problem_terms(text, stored, extra):
            theme = found[term]
            theme.term = term
            theme.organizations.add(org or doc)  # a notice without an organization counts as its own
            theme.problems.append((key, doc, text))
    return sorted(found.values(), key=lambda t: (-len(t.organizations), -len(t.problems), t.term))

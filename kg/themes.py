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
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.data import load

WORD = re.compile(r"[\u4e00-\u9fff]{2,}")
# Part-of-speech tags that name what a problem is about: nouns, verbal nouns, fixed terms.
THEME_TAGS = ("n", "vn", "nz", "l", "j")


@dataclass
class Theme:
    term: str
    organizations: set[str] = field(default_factory=set)
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (problem key, document, text)


@lru_cache(maxsize=1)
def _segmenter(extra: tuple[str, ...] = ()):
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)  # jieba announces its dictionary on stderr
    tokenizer = jieba.Tokenizer()
    for term in (*load("themes.json")["terms"], *extra):
        tokenizer.add_word(term, freq=10**6, tag="nz")  # a fixed expression stays one token
    return jieba.posseg.POSTokenizer(tokenizer)


def read_terms(path: str | None) -> tuple[str, ...]:
    """A user's own terms: one per line, # comments allowed."""
    if not path:
        return ()
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return tuple(t.strip() for t in lines if t.strip() and not t.lstrip().startswith("#"))


@lru_cache(maxsize=200_000)
def terms_of(text: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The theme words of one problem, in order, each once (cached: corpora repeat problems)."""
    formulaic = set(load("themes.json")["formulaic"])
    words = []
    for pair in _segmenter(extra).cut(text, HMM=False):  # dictionary words: 4× faster, same themes mostly
        token, tag = pair.word, pair.flag
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

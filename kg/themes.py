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
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.data import load
from kg.errors import InputError

WORD = re.compile(r"[\u4e00-\u9fff]{2,}")
# Part-of-speech tags that name what a problem is about: nouns, verbal nouns, fixed terms.
THEME_TAGS = ("n", "vn", "nz", "l", "j")
HEADLINE = re.compile(r"[^。;;]*")


@dataclass
class Theme:
    term: str
    organizations: set[str] = field(default_factory=set)
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (problem key, document, text)
    keyness: float | None = None  # signed log-likelihood against the rest of the notices' text


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


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[frozenset, frozenset, frozenset, frozenset]:
    spec = load("themes.json")
    return frozenset(spec["formulaic"]), frozenset(spec["generic"]), frozenset(spec["heads"]), frozenset(spec["terms"])


@lru_cache(maxsize=200_000)
def terms_of(text: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The theme words of one problem's first sentence, in order, each once, then the user's
    own terms (`extra`) found anywhere in the problem (cached: corpora repeat problems).
    A noun followed by a head word (管理, 程序, 规则 …) is one compound (资产管理, 报账程序):
    the genre names an area so. A generic word (工作, 会议, 干部 …) is never a theme alone."""
    formulaic, generic, heads, fixed = _vocabulary()
    whole = text
    # A problem is stated in its first sentence; what follows is evidence (dates, names, cases).
    text = HEADLINE.match(text).group()
    tokens = list(_segmenter(extra).cut(text))  # dictionary words only (no HMM): 4× faster, same themes mostly
    words: list[str] = []
    i = 0
    while i < len(tokens):
        token, tag = tokens[i]
        if i + 1 < len(tokens) and tokens[i + 1][0] in heads and tag.startswith(("n", "vn")) and token not in heads \
                and token not in formulaic and WORD.fullmatch(token) and token not in fixed:
            token, tag, i = token + tokens[i + 1][0], "n", i + 1
        i += 1
        if WORD.fullmatch(token) and tag.startswith(THEME_TAGS) and token not in formulaic and token not in generic \
                and token not in words:
            words.append(token)
    # A user's own terms are what the user looks for: searched in the whole problem, evidence
    # included (暮气较重 in a problem's second sentence), in the order they occur.
    later = [t for t in extra if t not in words and t in whole]
    words.extend(sorted(later, key=lambda t: (whole.find(t), -len(t), t)))
    return tuple(words)


def problem_terms(text: str, stored: str | None, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """A problem's themes: as the build stored them, or with a user's own terms, anew."""
    if extra:
        return terms_of(text, extra)
    return _stored(stored) if stored else ()


@lru_cache(maxsize=100_000)
def _stored(value: str) -> tuple[str, ...]:
    return tuple(json.loads(value))


def log_likelihood(a: int, b: int, c: int, d: int) -> float:
    """Dunning's G² of a term seen a times in c problem terms and b times in d terms of the
    rest of the notices; signed: negative when the rest uses it more (not a problem theme)."""
    e1, e2 = c * (a + b) / (c + d), d * (a + b) / (c + d)
    g2 = 2 * ((a * math.log(a / e1) if a else 0.0) + (b * math.log(b / e2) if b else 0.0))
    return g2 if a * d >= b * c else -g2


def reference_counts(texts: Iterable[tuple[str, str]], terms: Iterable[str]) -> tuple[dict[str, Counter], int]:
    """Per problem key, how often each term occurs in the measures answering it (the rest of
    the notices' text: what a notice says besides its problems), and all occurrences.
    Counted by substring, longest term first, on each distinct text once (corpora repeat)."""
    ordered = sorted(set(terms), key=lambda t: (-len(t), t))
    by_problem: dict[str, Counter] = defaultdict(Counter)
    if not ordered:
        return by_problem, 0
    pattern = re.compile(_trie(ordered))
    seen: dict[str, Counter] = {}
    for key, text in texts:
        if text not in seen:
            seen[text] = Counter(m.group() for m in pattern.finditer(text))
        by_problem[key].update(seen[text])
    return by_problem, sum(sum(c.values()) for c in by_problem.values())


def _trie(terms: Iterable[str]) -> str:
    """A regular expression matching the same as the terms' alternation longest first, at
    each position the longest term, but factored by prefix (党组(?:织(?:建设)?)?): Python's re
    tries an alternation's branches one by one at every position, a trie's one character."""
    root: dict = {}
    for term in terms:
        node = root
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = {}  # a term ends here

    def pattern(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:  # greedy: the longer term first, this one if it does not follow
            return ("(?:" + body + ")?") if len(branches) > 1 or len(body) > 1 else body + "?"
        return body

    return pattern(root)


def themes(problems: Iterable[tuple[str, str, str, str | None, str | None]], extra: tuple[str, ...] = (),
           reference: Iterable[str] | None = None) -> list[Theme]:
    """Themes of (problem key, document, text, organization, stored themes) rows. With the
    rest of the notices' text (`reference`: (problem key, measure text) rows), ranked by keyness (log-likelihood of a term's
    share of problem terms against its share of that text, across organizations: counts
    are of organizations and problems, never of one notice repeating a word); a term the
    rest of the text uses as much is no theme and is left out. Without it, most
    organizations first."""
    found: dict[str, Theme] = defaultdict(lambda: Theme(""))
    for key, doc, text, org, stored in problems:
        for term in problem_terms(text, stored, extra):
            theme = found[term]
            theme.term = term
            theme.organizations.add(org or doc)  # a notice without an organization counts as its own
            theme.problems.append((key, doc, text))
    if reference is None:
        return sorted(found.values(), key=lambda t: (-len(t.organizations), -len(t.problems), t.term))
    by_problem, d = reference_counts(reference, found)
    rest: Counter = Counter()
    for counts in by_problem.values():
        rest.update(counts)
    c = sum(len(t.problems) for t in found.values())
    for t in found.values():
        # A problem's own measures echo its words (第一议题 → 作为第一议题): not counted against it.
        echo = sum(by_problem[key][t.term] for key, _, _ in t.problems if key in by_problem)
        t.keyness = log_likelihood(len(t.problems), rest[t.term] - echo, c, max(d, 1))
    # A domain term (kg/data/themes.json) stays though the rest uses it as much (三重一大 in other
    # problems' measures): it names a theme whatever its count; it ranks after the distinctive ones.
    fixed = _vocabulary()[3] | set(extra)
    kept = [t for t in found.values() if t.keyness > 0 or t.term in fixed]
    # Keyness weighted by spread: a term of many organizations' problems before one notice's.
    return sorted(kept, key=lambda t: (-t.keyness * math.log2(1 + len(t.organizations)) if t.keyness > 0 else 0.0,
                                       -len(t.organizations), t.term))

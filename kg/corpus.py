"""A notice file's name in its corpus, whatever folder kg runs in and however the corpus was
reached.

A file found under a folder given to kg build is named by that folder's own name and its
path inside it: `seeds/002-….txt`, whether the folder was typed `../shared/corpus/seeds`,
as an absolute path or through a symlink. A file given by itself is named by its folder's
name and its own. The store keeps where each named folder was (`roots`), so that kg
explain finds a file from any folder, and says so when it is no longer there.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath

from kg.errors import printable
from kg.feeds import split


@dataclass
class Corpus:
    names: dict[str, str] = field(default_factory=dict)  # path as given → its name in the corpus
    roots: dict[str, str] = field(default_factory=dict)  # a name's folder part → that folder's real path

    def name(self, path: str) -> str:
        return self.names.get(path) or printable(path)


def corpus_of(sources: Iterable[str], folders: Iterable[str] = ()) -> Corpus:
    """The names of `sources` (files, as collected from `folders` and files given)."""
    folders = sorted({f.rstrip(os.sep) or os.sep for f in folders}, key=len, reverse=True)
    placed: dict[str, tuple[str, str, str]] = {}  # path → (real folder, path inside it, #KEY or "")
    for path in sources:
        file, key = split(path)  # an item is named by its file's name and its key
        folder = next((f for f in folders if file.startswith(f + os.sep)), None)
        if folder is None:
            folder = os.path.dirname(file) or "."
        placed[path] = (os.path.realpath(folder), os.path.relpath(file, folder), "" if key is None else f"#{key}")
    labels = _labels({real for real, _, _ in placed.values()})
    corpus = Corpus(roots={label: real for real, label in labels.items()})
    for path, (real, inside, key) in placed.items():
        corpus.names[path] = printable(PurePath(labels[real], inside).as_posix() + key)
    return corpus


def locate(name: str, roots: dict[str, str]) -> str | None:
    """Where the file named `name` is now, by the roots its build recorded (None: no root
    of that name; a name from before roots were kept is its path)."""
    if not roots:
        return name
    file, key = split(name)
    for label in sorted(roots, key=len, reverse=True):
        if file.startswith(label + "/"):
            found = os.path.join(roots[label], *file[len(label) + 1:].split("/"))
            return found if key is None else f"{found}#{key}"  # a URL key keeps its "//"
    return None


def _labels(reals: set[str]) -> dict[str, str]:
    """real folder → a label: its own name, with as many parent names as make it unique."""
    labels: dict[str, str] = {}
    depth = 1
    todo = set(reals)
    while todo:
        candidates = {real: "/".join(PurePath(real).parts[-depth:]).lstrip("/") or "/" for real in todo}
        counts: dict[str, int] = {}
        for label in candidates.values():
            counts[label] = counts.get(label, 0) + 1
        for real, label in candidates.items():
            if counts[label] == 1 or depth >= len(PurePath(real).parts):
                labels[real] = label
        todo -= set(labels)
        depth += 1
    return labels

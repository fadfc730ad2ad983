"""Curation a user controls: "these two are the same", "these mentions are a different
thing", kept in a plain TOML file beside the corpus and applied at every build.

    [[same-as]]                       # A stays; B becomes an alias of A
    label = "Regulation"
    keep = "中国共产党支部工作条例"
    merge = "中国共产党支部工作条例(试行)"
    why = "one regulation for this question"

    [[different-notices]]             # these files are different notices, not copies of one
    docs = ["notices/a.txt", "notices/b.txt"]   # paths (relative to this file) or SHA-256
    why = "two rounds of one inspection"

    [[keep-apart]]                    # KEY's mentions in these notices are another entity
    label = "Regulation"
    key = "中国共产党纪律处分条例"
    docs = ["notices/002.txt"]        # paths (relative to this file) or SHA-256 of notices
    why = "this notice cites the 2018 revision"

A decision is applied to each notice's extraction record before its graph is made, so
a changed file re-resolves without re-extracting, and every backend gets the same
curated graph. Each curated fact's provenance names the file, the line and the why.
"""
from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KgError, counted

DEFAULT_FILE = "kg-curation.toml"
LABELS = ("Regulation", "Organization")
KINDS = ("same-as", "keep-apart", "different-notices")
SHA256 = re.compile(r"[0-9a-f]{64}")
APART = "|apart:"  # KEY|apart:… is the entity a keep-apart of KEY made


def split_from(key: str) -> str:
    """The key an entity was kept apart from (its own key if none)."""
    return key.split(APART, 1)[0]


class CurationError(KgError):
    """A curation file kg cannot apply: FILE:LINE: reason."""


@dataclass(frozen=True)
class Decision:
    kind: str  # same-as or keep-apart
    label: str
    key: str  # same-as: the entity that stays (A); keep-apart: the entity split (KEY)
    other: str | None  # same-as: the entity merged into A (B)
    docs: tuple[str, ...]  # keep-apart: SHA-256 of the notices whose mentions are split off
    why: str
    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def rule(self) -> str:
        """How provenance names this decision."""
        return f"curation.{self.kind} {self.where}" + (f": {self.why}" if self.why else "")

    @property
    def apart_key(self) -> str:
        """The key of the entity a keep-apart makes (stable while its notices are the same)."""
        digest = hashlib.sha256("|".join(sorted(self.docs)).encode()).hexdigest()[:10]
        return f"{self.key}{APART}{digest}"

    def describe(self) -> str:
        if self.kind == "same-as":
            return f"same-as {self.label} {self.key!r} ← {self.other!r}"
        if self.kind == "different-notices":
            return f"different-notices: {len(self.docs)} files are not copies of one notice"
        return f"keep-apart {self.label} {self.key!r} in {counted(len(self.docs), 'notice')}"


@dataclass(frozen=True)
class Curation:
    path: str
    decisions: tuple[Decision, ...]
    unknown_docs: tuple[tuple[int, str], ...] = ()  # (line, path) of docs that are no file
    # different-notices: line → the notices (SHA-256) it kept from being grouped as copies
    kept_apart: dict = field(default_factory=dict, compare=False, hash=False)

    def apart(self, a: tuple[str, str], b: tuple[str, str]) -> bool:
        """Whether a person said the sources a and b ((source, SHA-256) each) are different
        notices (kg.copies asks before it groups them); noted for the build's report."""
        said = False
        for d in self.decisions:
            if d.kind == "different-notices" and a[1] in d.docs and b[1] in d.docs and a[1] != b[1]:
                self.kept_apart.setdefault(d.line, set()).update((a[1], b[1]))
                said = True
        return said

    def apart_effect(self):
        """Line → how many notices a different-notices decision kept apart."""
        from collections import Counter

        return Counter({line: len(docs) for line, docs in self.kept_apart.items()})

    def unused(self, applied) -> list[Decision]:
        """Decisions that changed no notice (given the lines that did)."""
        return [d for d in self.decisions if d.line not in applied]

    def check_effect(self, applied) -> None:
        """A file whose decisions all name nothing in the notices is an error, not a no-op."""
        if self.decisions and not any(d.line in applied for d in self.decisions):
            first = self.decisions[0]
            raise CurationError(f"{first.where}: {first.describe()}: no notice mentions it, nor anything else "
                                f"this file names; nothing was built")

    @property
    def digest(self) -> str:
        """What the decisions say (notices named by their SHA-256, not by path): a store
        built with the same digest applied the same curation."""
        said = [[d.kind, d.label, d.key, d.other, sorted(d.docs), d.why, d.line] for d in self.decisions]
        return hashlib.sha256(json.dumps(said, ensure_ascii=False).encode()).hexdigest()

    def annotate(self, graph, applied) -> None:
        """Record on each kept entity the names merged into it (same_as: RDF owl:sameAs)."""
        for (label, key), node in graph.nodes.items():
            if label in LABELS:
                node.props["same_as"] = self.same_as(label, {**node.props, "key": key}, applied,
                                                     node.props.get("same_as"))

    def same_as(self, label: str, props: dict, applied, stated: str | None = None) -> str | None:
        """A kept entity's same_as (the JSON list of names merged into it by the decisions
        `applied`, with those it `stated`), given its properties (key, title or name)."""
        names = {props.get("key"), props.get("title"), props.get("name")}
        merged = {d.other for d in self.decisions if d.kind == "same-as" and d.line in applied
                  and d.label == label and d.key in names}
        if not merged:
            return stated
        return json.dumps(sorted(merged | set(json.loads(stated or "[]"))), ensure_ascii=False)

    def naming(self, lines) -> list[tuple[str, str]]:
        """(label, name) of the entities the same-as decisions of these lines keep."""
        return [(d.label, d.key) for d in self.decisions if d.kind == "same-as" and d.line in lines]

    def apply(self, record: dict) -> tuple[dict, list[int]]:
        """The record with the decisions applied, and the lines that changed it."""
        applied: list[int] = []
        out = record
        for d in self.decisions:
            if d.kind == "different-notices" or d.kind == "keep-apart" and record["sha256"] not in d.docs:
                continue
            if out is record:
                out = copy.deepcopy(record)
            if _apply(d, out):
                applied.append(d.line)
        return out, applied


def _mark(fact: dict, d: Decision, key: str | None = None) -> None:
    fact["curation"] = {"rule": d.rule, **({"key": key} if key else {})}


def _apply(d: Decision, record: dict) -> bool:
    """Apply one decision to a record in place; whether it matched anything."""
    hit = False
    if d.label == "Organization":
        issuer = record.get("issuer")
        if issuer and issuer.get("organization") == (d.other if d.kind == "same-as" else d.key):
            if d.kind == "same-as":
                issuer["organization"] = d.key
                _mark(issuer, d)
            else:
                _mark(issuer, d, d.apart_key)
            hit = True
        return hit
    for c in record.get("citations") or []:
        titles = c["alias_of"] or [c["title"]]
        if d.kind == "same-as" and d.other in titles:
            if c["alias_of"]:
                c["alias_of"] = [d.key if t == d.other else t for t in c["alias_of"]]
            else:
                c["title"] = d.key
            _mark(c, d)
            hit = True
        elif d.kind == "keep-apart" and d.key in titles:
            _mark(c, d, d.apart_key)
            hit = True
    return hit


def load(path: str | os.PathLike) -> Curation:
    """Read and check a curation file; CurationError names the file and line."""
    path = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CurationError(f"{path}: no such curation file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise CurationError(f"{path}: cannot be read ({e})") from None
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line = re.search(r"line (\d+)", str(e))
        raise CurationError(f"{path}:{line.group(1) if line else 1}: not valid TOML ({e})") from None
    except RecursionError:  # tomllib recurses once per level of arrays or inline tables
        raise CurationError(f"{path}: nested too deeply to read (arrays or tables thousands deep); "
                            "a curation file holds flat [[same-as]] and [[keep-apart]] tables") from None
    unknown = set(data) - set(KINDS)
    if unknown:
        raise CurationError(f"{path}:1: unknown table {sorted(unknown)[0]!r}; a curation file holds "
                            "[[same-as]], [[keep-apart]] and [[different-notices]] tables")
    lines = _table_lines(text)
    decisions, unknown_docs = [], []
    for kind in KINDS:
        for i, entry in enumerate(data.get(kind, [])):
            line = lines[kind][i] if i < len(lines[kind]) else 1
            decision, missing = _decision(kind, entry, path, line)
            decisions.append(decision)
            unknown_docs += [(line, m) for m in missing]
    decisions.sort(key=lambda d: d.line)
    _check_consistent(decisions, path)
    return Curation(path, tuple(decisions), tuple(unknown_docs))


def _table_lines(text: str) -> dict[str, list[int]]:
    """Line of each [[same-as]] / [[keep-apart]] header, in order (tomllib keeps none)."""
    out: dict[str, list[int]] = {k: [] for k in KINDS}
    for n, raw in enumerate(text.splitlines(), 1):
        m = re.match(r"\s*\[\[\s*(same-as|keep-apart|different-notices)\s*\]\]", raw)
        if m:
            out[m.group(1)].append(n)
    return out


def _decision(kind: str, entry: dict, path: str, line: int) -> tuple[Decision, list[str]]:
    def field(name: str, required: bool = True) -> str | None:
        value = entry.get(name)
        if value is None and required:
            raise CurationError(f"{path}:{line}: [[{kind}]] needs {name} = \"…\"")
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise CurationError(f"{path}:{line}: {name} must be a non-empty string")
        return value.strip() if value else value

    why = entry.get("why", "")
    if kind == "different-notices":
        if not isinstance(why, str):
            raise CurationError(f"{path}:{line}: why must be a string")
        docs = entry.get("docs")
        if not isinstance(docs, list) or len(docs) < 2 or not all(isinstance(x, str) and x for x in docs):
            raise CurationError(f"{path}:{line}: [[different-notices]] needs docs = [\"notice path or SHA-256\", …] "
                                "(two or more)")
        shas, missing = [], []
        for given in docs:
            sha = document_hash(given, Path(path).parent)
            (shas if sha else missing).append(sha or given)
        return Decision(kind, "Document", "", None, tuple(sorted(shas)), why, path, line), missing
    label = field("label")
    if label not in LABELS:
        raise CurationError(f"{path}:{line}: label {label!r}: curation applies to {' and '.join(LABELS)}")
    why = entry.get("why", "")
    if not isinstance(why, str):
        raise CurationError(f"{path}:{line}: why must be a string")
    if kind == "same-as":
        keep, merge = field("keep"), field("merge")
        if keep == merge:
            raise CurationError(f"{path}:{line}: same-as {keep!r} with itself")
        return Decision(kind, label, keep, merge, (), why, path, line), []
    docs = entry.get("docs")
    if not isinstance(docs, list) or not docs or not all(isinstance(x, str) and x for x in docs):
        raise CurationError(f"{path}:{line}: [[keep-apart]] needs docs = [\"notice path or SHA-256\", …]")
    shas, missing = [], []
    for given in docs:
        sha = document_hash(given, Path(path).parent)
        (shas if sha else missing).append(sha or given)
    return Decision(kind, label, field("key"), None, tuple(sorted(shas)), why, path, line), missing


def document_hash(given: str, base: Path) -> str | None:
    """A notice named by SHA-256 or path (as given, or relative to the curation file)."""
    if SHA256.fullmatch(given):
        return given
    for candidate in (Path(given), base / given):
        if candidate.is_file():
            return hashlib.sha256(candidate.read_bytes()).hexdigest()
    return None


def check_notices(given: list[str], base: Path, notices: set[str] | None, store: str | None) -> None:
    """Refuse a keep-apart naming a notice that is not there: a path that is no file or,
    given the store's notices (SHA-256), one the store does not hold. A SHA-256 alone
    names no file: it needs the store to be checked against."""
    for doc in given:
        sha = document_hash(doc, base)
        if sha is None:
            raise CurationError(f"{doc}: no such notice file (give a notice's path, or its SHA-256 with --db)")
        if notices is not None and sha not in notices:
            raise CurationError(f"{doc}: not among the {len(notices)} notices of {store}")
        if notices is None and sha == doc:
            raise CurationError(f"{doc}: give --db STORE to check this SHA-256 is one of its notices")


def _check_consistent(decisions: list[Decision], path: str) -> None:
    """A decision must not undo another: B merged into two entities, an entity merged away
    that keeps others, or a merged name kept apart."""
    merged_into: dict[tuple[str, str], Decision] = {}
    for d in decisions:
        if d.kind == "same-as":
            first = merged_into.setdefault((d.label, d.other), d)
            if first.key != d.key:
                raise CurationError(f"{path}:{d.line}: {d.other!r} is already merged into {first.key!r} "
                                    f"at line {first.line}")
    for d in decisions:
        first = merged_into.get((d.label, d.key))
        if first is None:
            continue
        if d.kind == "same-as":
            raise CurationError(f"{path}:{d.line}: {d.key!r} is merged into {first.key!r} at line {first.line}; "
                                "it cannot also keep others")
        raise CurationError(f"{path}:{d.line}: keep-apart of {d.key!r} contradicts line {first.line}, "
                            f"which merges it into {first.key!r}")


def find(path: str | None) -> Curation | None:
    """The curation to apply: `path` if given, else kg-curation.toml here if it exists."""
    if path:
        return load(path)
    return load(DEFAULT_FILE) if os.path.isfile(DEFAULT_FILE) else None


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def append(path: str, kind: str, label: str, fields: dict[str, object], why: str) -> tuple[Decision, bool]:
    """Add a decision to the file (created if missing), check the whole file, write it
    atomically: (the decision, True). A decision the file holds already (its why aside) is
    not written again: (that one, False)."""
    from kg.fileio import atomic_text

    existing = Path(path).read_text(encoding="utf-8") if os.path.exists(path) else (
        "# kg curation: decisions applied at every build (kg build --curation, or this file\n"
        "# as kg-curation.toml in the folder kg runs in). See the README, \"Curation\".\n")
    block = [f"\n[[{kind}]]", f"label = {_toml_string(label)}"]
    for name, value in fields.items():
        if isinstance(value, list):
            block.append(f"{name} = [" + ", ".join(_toml_string(v) for v in value) + "]")
        else:
            block.append(f"{name} = {_toml_string(str(value))}")
    block.append(f"why = {_toml_string(why)}")
    text = existing.rstrip("\n") + "\n" + "\n".join(block) + "\n"
    checked = Path(path).with_name(f".{Path(path).name}.check")
    try:
        checked.write_text(text, encoding="utf-8")
        curation = load(checked)  # refuse a decision that contradicts the file
    except CurationError as e:
        raise CurationError(str(e).replace(str(checked), path)) from None
    finally:
        checked.unlink(missing_ok=True)
    last = max(curation.decisions, key=lambda d: d.line)
    what = (last.kind, last.label, last.key, last.other, last.docs)
    for d in curation.decisions:
        if d is not last and (d.kind, d.label, d.key, d.other, d.docs) == what:
            return dataclasses.replace(d, file=path), False
    with atomic_text(path) as f:
        f.write(text)
    return dataclasses.replace(last, file=path), True

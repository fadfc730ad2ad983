"""Named queries: Cypher in cypher/ (`// ` comments) and SPARQL in sparql/ (`# ` comments),
one file each, documented by its header comment.

Header format (comment lines before the query):
    // What the query answers (any number of lines).
    // @param NAME TYPE [= DEFAULT]  what it means      (TYPE: string, int, float)
    // @example
    // an example of its output (following comment lines)
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from kg.errors import KgError

PARAM = re.compile(r"@param\s+(?P<name>\w+)\s+(?P<type>string|int|float)(?:\s*=\s*(?P<default>\"[^\"]*\"|\S+))?\s*(?P<doc>.*)")
CASTS = {"string": str, "int": int, "float": float}


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: object | None
    doc: str
    required: bool


@dataclass(frozen=True)
class NamedQuery:
    name: str
    cypher: str
    description: str
    params: tuple[Param, ...] = field(default_factory=tuple)
    example: str = ""

    def bind(self, given: dict[str, str]) -> dict:
        """Parameters for the query: given values cast to their types, defaults for the rest."""
        unknown = set(given) - {p.name for p in self.params}
        if unknown:
            raise KgError(f"query {self.name} has no parameter {', '.join(sorted(unknown))}; "
                          f"it takes: {', '.join(p.name for p in self.params) or 'none'}")
        bound = {}
        for p in self.params:
            if p.name in given:
                try:
                    bound[p.name] = CASTS[p.type](given[p.name])
                except ValueError:
                    raise KgError(f"parameter {p.name} of query {self.name} must be {p.type}, not {given[p.name]!r}") from None
            elif p.required:
                raise KgError(f"query {self.name} needs --param {p.name}=… ({p.doc})")
            else:
                bound[p.name] = p.default
        return bound


LANGUAGES = {"cypher": ("cypher", ".cypher", "//"), "sparql": ("sparql", ".rq", "#")}


def parse(name: str, text: str, comment: str = "//") -> NamedQuery:
    header, body = [], []
    for line in text.splitlines():
        if not body and line.startswith(comment):
            header.append(line[len(comment):].strip())
        elif line.strip() or body:
            body.append(line)
    description, params, example, in_example = [], [], [], False
    for line in header:
        if line.startswith("@example"):
            in_example = True
        elif in_example:
            example.append(line)
        elif line.startswith("@param"):
            m = PARAM.match(line)
            if not m:
                raise KgError(f"query {name}: cannot read parameter line {line!r}")
            default = m.group("default")
            if default is not None:
                default = default.strip('"') if m.group("type") == "string" else CASTS[m.group("type")](default)
            params.append(Param(m.group("name"), m.group("type"), default, m.group("doc").strip(), default is None))
        else:
            description.append(line)
    return NamedQuery(name, "\n".join(body).strip(), " ".join(d for d in description if d).strip(),
                      tuple(params), "\n".join(example))


@lru_cache(maxsize=None)
def library(language: str = "cypher") -> dict[str, NamedQuery]:
    folder_name, suffix, comment = LANGUAGES[language]
    folder = resources.files("kg").joinpath(folder_name)
    out = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(suffix):
            name = entry.name.removesuffix(suffix)
            out[name] = parse(name, entry.read_text(encoding="utf-8"), comment)
    return out


def named(name: str, language: str = "cypher") -> NamedQuery:
    queries = library(language)
    if name not in queries:
        close = difflib.get_close_matches(name, queries, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}? " if close else ""
        listing = "kg queries --sparql" if language == "sparql" else "kg queries"
        raise KgError(f"no {language} query named {name!r}; {hint}`{listing}` lists them: {', '.join(queries)}")
    return queries[name]

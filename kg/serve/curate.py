"""Curation from the pages (kg serve --curation FILE): a same-as or keep-apart decision,
checked against the store and written by kg.curation's append, as kg curate writes it."""
from __future__ import annotations

from pathlib import Path

from kg.curation import LABELS, CurationError, append, check_notices
from kg.explain import similar

FIELDS = {"Regulation": "title", "Organization": "name"}


def _one(form: dict[str, list[str]], name: str, required: bool = True) -> str:
    values = [v.strip() for v in form.get(name, []) if v.strip()]
    if not values and required:
        raise CurationError(f"the form needs {name}")
    return values[0] if values else ""


def _known(store, label: str, name: str) -> str:
    """The title or name of the entity `name` (its title, name or key) in the store."""
    field = FIELDS[label]
    rows = store.query(f"MATCH (n:{label}) WHERE n.{field} = $name OR n.key = $name RETURN n.{field} LIMIT 1",
                       {"name": name})[1]
    if not rows:
        close = similar(store, name)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise CurationError(f"no {label} {name!r} in this store{hint}")
    return rows[0][0]


def decide(store, path: str, form: dict[str, list[str]]) -> dict:
    """Append the decision the form asks for to the curation file at `path`: what was
    written (or found there already) and the lines that hold it."""
    kind, label = _one(form, "kind"), _one(form, "label")
    if kind not in ("same-as", "keep-apart"):
        raise CurationError(f"kind {kind!r}: same-as or keep-apart")
    if label not in LABELS:
        raise CurationError(f"label {label!r}: curation applies to {' and '.join(LABELS)}")
    why = _one(form, "why", required=False)
    if kind == "same-as":
        keep = _known(store, label, _one(form, "keep"))
        merge = _known(store, label, _one(form, "merge"))
        if keep == merge:
            raise CurationError(f"same-as {keep!r} with itself")
        decision, written = append(path, kind, label, {"keep": keep, "merge": merge}, why)
    else:
        key = _known(store, label, _one(form, "key"))
        docs = [d for d in form.get("docs", []) if d.strip()]
        if not docs:
            raise CurationError("keep-apart needs at least one notice ticked")
        notices = {k for (k,) in store.query("MATCH (d:Document) RETURN d.key")[1]}
        check_notices(docs, Path(path).parent, notices, str(store.path))
        decision, written = append(path, kind, label, {"key": key, "docs": sorted(set(docs))}, why)
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    block = []
    for line in lines[decision.line - 1:]:
        if block and (not line.strip() or line.startswith("[[")):
            break
        block.append(line)
    return {"title": "curation", "written": written, "where": decision.where, "decision": decision.describe(),
            "lines": block, "line": decision.line, "file": path}

"""Writers and query engines, registered by name and imported on first use.

A backend knows the graph model, never an extractor. Each declares what it can do so
that commands and the shared contract tests ask it only for that.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass

from kg.errors import KgError


@dataclass(frozen=True)
class BackendInfo:
    name: str
    target: str  # "module:Class"
    queries: bool  # answers Cypher
    doc: str


REGISTRY: dict[str, BackendInfo] = {
    info.name: info
    for info in [
        BackendInfo("embedded", "kg.backends.embedded:EmbeddedStore", True, "LadybugDB on disk, no server (default)"),
    ]
}


def backend_class(name: str):
    """The class registered under `name`; an unknown name lists the valid ones."""
    info = REGISTRY.get(name)
    if info is None:
        raise KgError(f"unknown backend {name!r}; choose one of: {', '.join(sorted(REGISTRY))}")
    module, cls = info.target.split(":")
    return getattr(importlib.import_module(module), cls)

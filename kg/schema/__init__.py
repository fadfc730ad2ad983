"""The files in schema/: JSON schemas, the graph model, the RDF vocabulary."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


def path(name: str):
    return resources.files(__name__).joinpath(name)


@lru_cache(maxsize=None)
def load_json(name: str) -> dict:
    return json.loads(path(name).read_text(encoding="utf-8"))


def validate_record(record: dict) -> None:
    """Raise jsonschema.ValidationError if `record` breaks the extraction schema."""
    import jsonschema

    jsonschema.validate(record, load_json("extraction.schema.json"))

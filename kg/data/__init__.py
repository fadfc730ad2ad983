"""Reference data read by the extractors (lists live in data, not in code)."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=None)
def load(name: str):
    """A JSON file of this package, parsed once."""
    return json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))

"""kg: knowledge graphs from Chinese discipline-inspection notices.

The stages, each usable on its own:

    doc = kg.read_source("notice.txt")     # files → Document (decoded, hashed)
    record = kg.extract(doc)               # Document → record with spans and rules
"""
from kg.errors import InputError, KgError
from kg.extract import extract  # cheap: the extractors load on first use
from kg.read import read_bytes, read_source

__version__ = "0.1.0"
__all__ = ["InputError", "KgError", "extract", "read_bytes", "read_source", "__version__"]

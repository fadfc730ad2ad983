"""Data in a page: JSON that a <script> element carries as text and never as markup."""
from __future__ import annotations

import json

# Inside <script>, "</script" ends the element and "<!--" then "<script" make the parser
# skip the next "</script>" (the block swallows the page's script after it). With no "<"
# left, neither can happen; ">" and "&" go too, and U+2028/U+2029, which older JavaScript
# reads as line ends: what safe JSON-in-HTML encoders do. JSON.parse reads them all back.
_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(value) -> str:
    """`value` as JSON text safe inside any <script> element of a page."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_ESCAPES)

"""Write kg/data/divisions.json, China's administrative divisions as kg.gazetteer reads
them, from jionlp's offline gazetteer (Apache License 2.0):

    pip install jionlp && python -m kg.data.divisions_from_jionlp

kg ships the result (a tenth of jionlp's tree, read in milliseconds) instead of importing
jionlp at run time, which alone took longer than starting the whole `kg` command.
tests/test_gazetteer.py checks that the file equals what this script makes.
"""
from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

OUT = Path(__file__).with_name("divisions.json")


def divisions() -> dict:
    """{province: {"alias": …, "cities": {city: {"alias": …, "counties": [county, …]}}}},
    in jionlp's order (the first holder of an alias keeps it)."""
    with contextlib.redirect_stdout(io.StringIO()):  # jionlp prints a banner on import
        import jionlp

        tree = jionlp.china_location_loader()
    return {prov: {"alias": pdata.get("_alias"), "cities": {
        city: {"alias": cdata.get("_alias"), "counties": [c for c in cdata if not c.startswith("_")]}
        for city, cdata in pdata.items() if not city.startswith("_")}}
        for prov, pdata in tree.items()}


def text() -> str:
    return json.dumps(divisions(), ensure_ascii=False, separators=(",", ":")) + "\n"


if __name__ == "__main__":
    OUT.write_text(text(), encoding="utf-8")
    print(f"wrote {OUT}")

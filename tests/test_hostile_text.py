"""Characters pasted into a notice (control characters from Word or a PDF, markup in a
sentence) reach every export as data: GraphML and GEXF stay XML, a neo4j-admin array
keeps one element per value, the recurrence page's data stays one JSON block."""
from __future__ import annotations

import csv
import json
import re

import networkx as nx
import pytest
import rdflib

from tests.cli import kg
from tests.conftest import seed

PROBLEM = "学习停留在\x0c表面,没有\x0b学深\x01学透\x1f。"
TITLE = "《委员履职\x1f考核\x0c评价办法》"
MARKUP = "一是<!--<script>认真学习《中国共产党廉洁自律准则》《中国共产党纪律处分条例》等党纪党规</script><script>alert(1)</script>,"
EDITS = {"学习停留在表面,没有学深学透。": PROBLEM, "《委员履职考核评价办法》": TITLE,
         "一是认真学习《中国共产党廉洁自律准则》《中国共产党纪律处分条例》等党纪党规,": MARKUP}
NOT_XML = str.maketrans({c: "\ufffd" for c in "\x0c\x0b\x01\x1f"})


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The store of seed 002 (政协桑植县委员会) with the characters above pasted in."""
    from kg.build import build_store

    folder = tmp_path_factory.mktemp("hostile")
    text = seed("002").read_text(encoding="utf-8")
    for plain, hostile in EDITS.items():
        assert text.count(plain) == 1, plain
        text = text.replace(plain, hostile)
    notice = folder / seed("002").name
    notice.write_text(text, encoding="utf-8")
    build_store([str(notice)], str(folder / "hostile.kg"))
    return folder / "hostile.kg"


@pytest.mark.parametrize("fmt,read,key", [("graphml", nx.read_graphml, "key"), ("gexf", nx.read_gexf, "kg_key")])
def test_control_characters_leave_graphml_and_gexf_readable(store, tmp_path, fmt, read, key):
    out = tmp_path / f"hostile.{fmt}"
    result = kg("export", str(store), "--out", str(out))
    assert result.returncode == 0, result.stderr.decode()
    nodes = {data[key]: data for _, data in read(out).nodes(data=True)}
    assert nodes[next(k for k in nodes if k.endswith("|p1"))]["text"] == PROBLEM.translate(NOT_XML)
    assert json.loads(nodes["委员履职考核评价办法"]["raw_forms"]) == [TITLE[1:-1]]  # JSON text: escaped, exact


@pytest.mark.parametrize("fmt", ["turtle", "trig", "nt"])
def test_rdf_exports_keep_control_characters(store, tmp_path, fmt):
    """Turtle, TriG and N-Triples strings may hold them (rdflib writes them raw and reads them back)."""
    from kg.backends import rdf
    from kg.backends.embedded import EmbeddedStore, read_graph

    out = tmp_path / f"hostile.{'ttl' if fmt == 'turtle' else fmt}"
    with open(out, "w", encoding="utf-8") as f:
        rdf.write(read_graph(EmbeddedStore(store)), fmt, f)
    assert rdflib.Literal(PROBLEM, lang="zh-Hans") in set(rdf.union(rdf.parse(str(out))).objects())


def test_a_unit_separator_stays_inside_its_array_element(store, tmp_path):
    out = tmp_path / "admin"
    result = kg("export", str(store), "--format", "neo4j-admin", "--out", str(out))
    assert result.returncode == 0, result.stderr.decode()
    assert "--array-delimiter=U+001F" in (out / "import.sh").read_text(encoding="utf-8")
    with open(out / "nodes" / "Regulation.csv", encoding="utf-8", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["key:ID(Regulation)"] == "委员履职考核评价办法")
    assert row["raw_forms:string[]"].split("\x1f") == [TITLE[1:-1].replace("\x1f", "\ufffd")]
    (evidence,) = row["evidence:string[]"].split("\x1f")
    assert json.loads(evidence)["quote"] == TITLE


def test_markup_in_a_citing_sentence_stays_in_the_data_block(store, tmp_path):
    from importlib import resources

    from kg.viz.recurrence import VENDOR

    page = tmp_path / "recurrence.html"
    result = kg("viz", "recurrence", "--db", str(store), "--out", str(page), "--min-organizations", "1")
    assert result.returncode == 0, result.stderr.decode()
    text = page.read_text(encoding="utf-8")
    block = re.search(r'<script id="kg-data" type="application/json">(.*?)</script>', text, re.S).group(1)
    assert "<" not in block  # no "</script" to end it, no "<!--" to make the parser skip the next end
    sentences = {c["sentence"] for r in json.loads(block)["regulations"] for c in r["citations"]}
    assert "整改情况:" + MARKUP + "并严格执行。" in sentences
    template = resources.files("kg.viz").joinpath("recurrence.html").read_text(encoding="utf-8")
    assert text.count("<script") == template.count("<script") + len(VENDOR)
    assert text.count("</script>") == text.count("<script")

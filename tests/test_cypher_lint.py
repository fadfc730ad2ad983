"""Every statement kg can send to Neo4j, and every file in cypher/, passes Neo4j's own
parser and semantic analysis (@neo4j-cypher/language-support, run offline under node).

No Neo4j server runs where CI runs; this is how the Cypher is checked there. .ci/run
installs the linter and sets KG_REQUIRE_CYPHER_LINT=1, so there a missing linter fails.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kg.backends import neo4j as neo
from kg.backends import neo4j_sync as sync
from kg.backends.neo4j_files import write_cypher_script
from kg.explain import explain_statements
from kg.graph import model
from kg.queries import library
from kg.resolve import build_graph

LINT = Path(__file__).parent / "cypher_lint"
SAMPLE = {"string": "中国共产党纪律处分条例", "int": 2, "float": 1.0}


def lint(queries: list[dict]) -> list[dict]:
    node = shutil.which("node")
    if node is None or not (LINT / "node_modules" / "@neo4j-cypher").exists():
        message = f"Cypher linter not installed (cd {LINT} && npm install)"
        if os.environ.get("KG_REQUIRE_CYPHER_LINT"):
            pytest.fail(message)
        pytest.skip(message)
    m = model()
    schema = {
        "labels": [*m.nodes, neo.KG_LABEL],
        "relationshipTypes": list(m.relationships),
        "propertyKeys": sorted({"key", "provenance", "evidence", "from", "to"} | {p for props in m.nodes.values() for p in props}
                               | {p for spec in m.relationships.values() for p in spec["properties"]}),
    }
    payload = json.dumps({"schema": schema, "queries": queries}, ensure_ascii=False)
    result = subprocess.run([node, str(LINT / "lint.mjs")], input=payload.encode(), capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def assert_clean(queries: list[dict]) -> None:
    problems = [r for r in lint(queries) if r["diagnostics"]]
    assert problems == [], json.dumps(problems, ensure_ascii=False, indent=1)


def test_linter_catches_mistakes():
    """The check can fail: a syntax error and an unknown label are reported."""
    results = lint([
        {"id": "syntax", "query": "MATCH (n:Regulation WHERE n.title = $t RETURN n", "parameters": {"t": "x"}},
        {"id": "label", "query": "MATCH (n:Regulaton) RETURN n", "parameters": {}},
        {"id": "param", "query": "MATCH (n:Regulation) WHERE n.title = $missing RETURN n", "parameters": {}},
    ])
    assert all(r["diagnostics"] for r in results), results


def test_named_queries():
    queries = []
    for q in library().values():
        params = {p.name: SAMPLE[p.type] if p.required else p.default for p in q.params}
        queries.append({"id": q.name, "query": q.cypher, "parameters": params})
    assert_clean(queries)


def test_every_statement_the_loader_sends(records):
    graph = build_graph(records.values())
    seen = {}
    for s in neo.plan(graph, batch_size=50):
        params = {k: v[:1] if k == "rows" else v for k, v in s.params.items()}
        seen.setdefault(s.cypher, {"id": s.what, "query": s.cypher, "parameters": params})
    seen[neo.WIPE] = {"id": "wipe", "query": neo.WIPE, "parameters": {"limit": 10}}
    for table in [*model().nodes, *model().relationships]:  # what keeps a server up to date with a store
        node = table in model().nodes
        one = next(iter(neo.node_rows(graph, table) if node else neo.relationship_rows(graph, table)), None)
        upsert = sync.upsert_node(table) if node else sync.upsert_relationship(table)
        delete = sync.delete_nodes(table) if node else sync.delete_relationships(table)
        seen[upsert] = {"id": f"sync {table}", "query": upsert, "parameters": {"rows": [one] if one else []}}
        seen[delete] = {"id": f"sync gone {table}", "query": delete, "parameters": {
            "keys": ["k"]} if node else {"rows": [{"from": "a", "key": "k"}]}}
    assert len(seen) >= len(model().nodes) + len(model().relationships) + 3
    assert_clean(list(seen.values()))


def test_statements_kg_runs_on_any_store():
    assert_clean([{"id": f"explain {i}", "query": q, "parameters": p} for i, (q, p) in enumerate(explain_statements())])


def test_cypher_shell_script(records):
    graph = build_graph(records.values())
    out = io.StringIO()
    write_cypher_script(graph, out, batch_size=2)
    statements = [s for s in out.getvalue().split(";\n") if s.strip()]
    # One statement of each shape (each label and type), and those with the hardest text.
    shapes = {}
    for s in statements:
        shapes.setdefault(re.sub(r"UNWIND \[.*\] AS row", "", s, flags=re.S), s)
    hard = [s for s in statements if "\\'" in s or "\\n" in s][:5]
    assert len(shapes) == len(model().nodes) + len(model().relationships) + len(model().nodes) + 1
    assert_clean([{"id": f"script {i}", "query": s, "parameters": {}} for i, s in enumerate([*shapes.values(), *hard])])

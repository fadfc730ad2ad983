"""Neo4j: idempotent batched loading with the official driver, and queries.

Statements have a fixed shape per label and relationship type (`UNWIND $rows … MERGE`
on the key, under a uniqueness constraint), are sent in batches through managed write
transactions (the driver retries transient errors), and always name the database.
Every node kg writes also carries the label `Kg`, so `wipe` removes kg's data only.

Provenance is kept twice on each node and relationship: `evidence`, a list with one
JSON entry per source span (each starting {"doc": "<sha256>", …}), and `provenance`,
the same entries as one JSON list, exactly as the embedded store holds it. Loading a
notice again adds nothing; loading a changed notice (same source path, new bytes) first
retires the facts of its previous version and keeps what other notices say.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from kg.errors import KgError
from kg.graph import evidence_item, model

KG_LABEL = "Kg"
# Neo4j holds dates as dates and lists as lists: the embedded store's ISO strings and JSON
# list strings (the graph model's dates and lists) become `date` and `string[]` (neo4j-admin
# types) or date() and lists (here).
DATE_PROPERTIES = model().dates
LIST_PROPERTIES = model().lists
DOC_PREFIX = '{"doc": "'  # every evidence entry starts so; the document key follows
DEFAULT_BATCH = 10_000


@dataclass(frozen=True)
class Settings:
    uri: str
    user: str
    password: str = field(repr=False)  # never printed
    database: str = "neo4j"

    @classmethod
    def from_env(cls, uri: str | None = None, user: str | None = None, password: str | None = None,
                 database: str | None = None) -> Settings:
        uri = uri or os.environ.get("NEO4J_URI")
        if not uri:
            raise KgError("no Neo4j address: set NEO4J_URI (e.g. bolt://localhost:7687) or pass --uri")
        password = password if password is not None else os.environ.get("NEO4J_PASSWORD")
        if password is None:
            raise KgError("no Neo4j password: set NEO4J_PASSWORD")
        return cls(uri, user or os.environ.get("NEO4J_USER") or os.environ.get("NEO4J_USERNAME") or "neo4j",
                   password, database or os.environ.get("NEO4J_DATABASE") or "neo4j")


@dataclass(frozen=True)
class Statement:
    cypher: str
    params: dict
    what: str  # "Regulation nodes", "CITES relationships", "constraint", "retire replaced documents"
    rows: int = 0
    change: tuple[str, str] | None = None  # ("upsert" or "delete", table): what a sync statement does (neo4j_sync)


# -- statements ------------------------------------------------------------------

def _join_provenance(var: str) -> str:
    """Cypher that renders a list of JSON entries as one JSON list string."""
    return f"'[' + reduce(s = '', e IN {var} | s + CASE s WHEN '' THEN '' ELSE ', ' END + e) + ']'"


def constraint_statements() -> list[Statement]:
    return [Statement(f"CREATE CONSTRAINT kg_{label.lower()}_key IF NOT EXISTS FOR (n:{label}) REQUIRE n.key IS UNIQUE",
                      {}, "constraint") for label in model().nodes] + [
        Statement(f"CREATE INDEX kg_{KG_LABEL.lower()}_key IF NOT EXISTS FOR (n:{KG_LABEL}) ON (n.key)", {}, "index")]


def node_statement(label: str) -> str:
    props = model().nodes[label]
    # The first notice to state a value keeps it: notices loaded in parts add to what is there.
    sets = ", ".join(f"n.{p} = coalesce(n.{p}, {row_value(p)})" for p in props)
    return (f"{merge_node(label)}SET n:{KG_LABEL}, {sets}\n"
            f"WITH n, row, [e IN coalesce(n.evidence, []) WHERE NOT e IN row.evidence] + row.evidence AS items\n"
            f"SET n.evidence = items, n.provenance = {_join_provenance('items')}")


def relationship_statement(rel_type: str) -> str:
    spec = model().relationships[rel_type]
    sets = "".join(f", r.{p} = coalesce(r.{p}, row.{p})" for p in spec["properties"])
    return (f"{merge_relationship(rel_type)}"
            f"WITH r, row, [e IN coalesce(r.evidence, []) WHERE NOT e IN row.evidence] + row.evidence AS items\n"
            f"SET r.evidence = items, r.provenance = {_join_provenance('items')}{sets}")


def merge_node(label: str) -> str:
    """The start of every statement that writes nodes of a label: `n`, one per row."""
    return f"UNWIND $rows AS row\nMERGE (n:{label} {{key: row.key}})\n"


def merge_relationship(rel_type: str) -> str:
    """The start of every statement that writes relationships of a type: `r`, one per row."""
    spec = model().relationships[rel_type]
    return (f"UNWIND $rows AS row\nMATCH (a:{spec['from']} {{key: row.from}})\nMATCH (b:{spec['to']} {{key: row.to}})\n"
            f"MERGE (a)-[r:{rel_type} {{key: row.key}}]->(b)\n")


def row_value(prop: str) -> str:
    """A row's value of a property as Neo4j holds it (dates as dates)."""
    return f"date(row.{prop})" if prop in DATE_PROPERTIES else f"row.{prop}"


_GONE = (f"MATCH (d:Document:{KG_LABEL}) WHERE d.source IN $sources AND NOT d.key IN $keys\n"
         "WITH collect(d.key) AS gone\n")
_KEPT = "[e IN {v}.evidence WHERE NOT substring(e, 9, 64) IN gone] AS kept"
RETIRE_RELATIONSHIPS = (
    _GONE + f"MATCH (:{KG_LABEL})-[r]->(:{KG_LABEL}) WHERE any(e IN r.evidence WHERE substring(e, 9, 64) IN gone)\n"
    f"WITH r, {_KEPT.format(v='r')}\n"
    f"SET r.evidence = kept, r.provenance = {_join_provenance('kept')}\n"
    "WITH r WHERE size(r.evidence) = 0\nDELETE r")
RETIRE_NODES = (
    _GONE + f"MATCH (n:{KG_LABEL}) WHERE any(e IN n.evidence WHERE substring(e, 9, 64) IN gone)\n"
    f"WITH n, {_KEPT.format(v='n')}\n"
    f"SET n.evidence = kept, n.provenance = {_join_provenance('kept')}\n"
    "WITH n WHERE size(n.evidence) = 0\nDETACH DELETE n")
WIPE = f"MATCH (n:{KG_LABEL}) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted"


def neo4j_value(prop: str, value):
    """A property as Neo4j holds it: a JSON list string becomes a list (dates become
    dates in the statement, with date())."""
    return json.loads(value) if prop in LIST_PROPERTIES and value is not None else value


def _evidence(row: dict) -> list[str]:
    return sorted(map(evidence_item, json.loads(row.get("provenance") or "[]")))


def node_rows(source, label: str) -> Iterator[dict]:
    """The rows a load sends for a label, from a row source (a store's rows or a Graph)."""
    props = model().nodes[label]
    for row in source.rows(label):
        yield {"key": row["key"], **{p: neo4j_value(p, row.get(p)) for p in props}, "evidence": _evidence(row)}


def relationship_rows(source, rel_type: str) -> Iterator[dict]:
    props = model().relationships[rel_type]["properties"]
    for row in source.relationship_rows(rel_type):
        yield {"from": row["from"], "to": row["to"], "key": row["key"], **{p: row.get(p) for p in props},
               "evidence": _evidence(row)}


def _batches(rows: Iterator[dict], size: int) -> Iterator[list[dict]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def plan(source, batch_size: int = DEFAULT_BATCH) -> Iterator[Statement]:
    """Every statement a load sends, in order: constraints, retirement of replaced
    versions of these notices, nodes by label, relationships by type. `source` is a row
    source (a Graph, or a store's rows): batches are made as rows are read, so a load
    holds one batch (and the keys and sources of the notices) at a time."""
    if batch_size < 1:
        raise KgError("batch size must be at least 1")
    yield from constraint_statements()
    docs = [(row["key"], row["source"]) for row in source.rows("Document")]
    retire = {"sources": sorted({s for _, s in docs}), "keys": sorted(k for k, _ in docs)}
    del docs
    yield Statement(RETIRE_RELATIONSHIPS, retire, "retire replaced versions (relationships)")
    yield Statement(RETIRE_NODES, retire, "retire replaced versions (nodes)")
    m = model()
    for label in m.nodes:
        for batch in _batches(node_rows(source, label), batch_size):
            yield Statement(node_statement(label), {"rows": batch}, f"{label} nodes", len(batch))
    for rel_type in m.relationships:
        for batch in _batches(relationship_rows(source, rel_type), batch_size):
            yield Statement(relationship_statement(rel_type), {"rows": batch}, f"{rel_type} relationships", len(batch))


# -- the driver --------------------------------------------------------------------

@dataclass
class LoadSummary:
    statements: int = 0
    rows: int = 0
    nodes_created: int = 0
    nodes_deleted: int = 0
    relationships_created: int = 0
    relationships_deleted: int = 0
    properties_set: int = 0


class Neo4jBackend:
    name = "neo4j"

    def __init__(self, settings: Settings):
        self.settings = settings
        self._driver = None

    def _connect(self):
        import neo4j
        from neo4j.exceptions import AuthError, ServiceUnavailable

        if self._driver is None:
            s = self.settings
            driver = neo4j.GraphDatabase.driver(s.uri, auth=(s.user, s.password))
            try:
                driver.verify_connectivity()
            except AuthError:
                driver.close()
                raise KgError(f"Neo4j at {s.uri} refused the credentials of user {s.user!r}") from None
            except (ServiceUnavailable, OSError) as e:
                driver.close()
                raise KgError(f"cannot reach Neo4j at {s.uri} ({type(e).__name__}); is it running? "
                              "(`docker compose up -d` starts one)") from None
            self._driver = driver
        return self._driver

    def connect(self) -> None:
        """Reach the server now (KgError if it refuses or does not answer), before work a
        failed connection would waste."""
        self._connect()

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()
            self._driver = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def run(self, statement: Statement, write: bool = True):
        import neo4j
        from neo4j.exceptions import Neo4jError

        try:
            return self._connect().execute_query(
                statement.cypher, statement.params, database_=self.settings.database,
                routing_=neo4j.RoutingControl.WRITE if write else neo4j.RoutingControl.READ)
        except Neo4jError as e:
            raise KgError(f"Neo4j refused {statement.what}: {e.code}: {e.message}") from None

    def load(self, source, batch_size: int = DEFAULT_BATCH, tick: Callable[[int], None] = lambda n: None) -> LoadSummary:
        """Load a row source (a Graph, or a store's rows, streamed a batch at a time)."""
        return self.send(plan(source, batch_size), tick)

    def kg_nodes(self) -> int:
        """How many nodes of kg's (label Kg) the database holds."""
        return self.run(Statement(f"MATCH (n:{KG_LABEL}) RETURN count(n) AS n", {}, "counting kg's nodes"),
                        write=False).records[0]["n"]

    def send(self, statements, tick: Callable[[int], None] = lambda n: None) -> LoadSummary:
        """Run statements in order, summing what they did."""
        summary = LoadSummary()
        for statement in statements:
            result = self.run(statement)
            c = result.summary.counters
            summary.statements += 1
            summary.rows += statement.rows
            summary.nodes_created += c.nodes_created
            summary.nodes_deleted += c.nodes_deleted
            summary.relationships_created += c.relationships_created
            summary.relationships_deleted += c.relationships_deleted
            summary.properties_set += c.properties_set
            tick(statement.rows)
        return summary

    def wipe(self, batch: int = 10_000) -> int:
        """Delete kg's nodes and relationships (label Kg) and nothing else."""
        total = 0
        while True:
            records = self.run(Statement(WIPE, {"limit": batch}, "wipe")).records
            deleted = records[0]["deleted"] if records else 0
            total += deleted
            if deleted < batch:
                return total

    def query(self, cypher: str, params: dict | None = None) -> tuple[list[str], list[list]]:
        result = self.run(Statement(cypher, params or {}, "the query"), write=False)
        # Dates come back as ISO text, as the embedded store gives them.
        return list(result.keys), [[v.iso_format() if hasattr(v, "iso_format") else v for v in r.values()]
                                   for r in result.records]


def load_rows(source, out: Neo4jBackend, **options) -> LoadSummary:
    """The registry's writer (kg.backends): load a row source into the server `out`."""
    return out.load(source, **options)

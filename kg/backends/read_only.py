"""Which statements a store answers: reads of the graph, nothing else.

LadybugDB's read-only mode refuses writes to the graph but still runs CHECKPOINT (which
left stores unreadable), LOAD FROM (any file), COPY … TO (any file) and EXPORT DATABASE.
It has no switch to turn those off, so the engine itself is asked what a statement
does: it must be one statement (its parser says so when it prepares it), and every
operator of the plan it makes for it (EXPLAIN) must be one that reads the graph. The
spelling (case, comments, `;`, whitespace) cannot matter: the plan is the engine's.

One check comes before the engine's: LadybugDB's binder opens the file a LOAD FROM, COPY
or IMPORT names even when it only prepares or explains the statement (reading its header
for the columns), and a FIFO there would hang it. So a statement whose words outside
strings and comments include one of those clauses is refused before the engine sees it.
"""
from __future__ import annotations

import re
import warnings

from kg.errors import KgError

# Operators of plans that read the graph (LadybugDB 0.22's names). Anything else, or a
# table function not named below, is refused: an operator new to kg is refused, not run.
READ_OPERATORS = frozenset({
    "AGGREGATE", "AGGREGATE_FINALIZE", "AGGREGATE_SCAN", "COUNT_REL_TABLE", "CROSS_PRODUCT", "DUMMY_SINK", "EMPTY_RESULT",
    "FILTER", "FLATTEN", "HASH_JOIN_BUILD", "HASH_JOIN_PROBE", "INDEX_LOOKUP", "INTERSECT", "INTERSECT_BUILD",
    "LIMIT", "MULTIPLICITY_REDUCER", "ORDER_BY", "ORDER_BY_MERGE", "ORDER_BY_SCAN", "PATH_PROPERTY_PROBE",
    "PRIMARY_KEY_SCAN_NODE_TABLE", "PROJECTION", "QUERY_PRIMARY_KEY_LOOKUP", "RECURSIVE_EXTEND", "RESULT_COLLECTOR", "SCAN_NODE_TABLE",
    "SCAN_REL_TABLE", "SEMI_MASKER", "SKIP", "TABLE_FUNCTION_CALL", "TOP_K", "TOP_K_SCAN", "UNION_ALL_SCAN",
    "UNWIND",
})
# Table functions that read the catalogue or an intermediate result, never a file.
READ_FUNCTIONS = frozenset({"READ_FTABLE", "SHOW_TABLES", "TABLE_INFO", "SHOW_CONNECTION", "DB_VERSION",
                            "SHOW_FUNCTIONS", "CURRENT_SETTING"})
# Clauses whose binding opens a file (see the module's docstring), as words of the query.
FILE_CLAUSES = re.compile(r"\b(LOAD|COPY|IMPORT|EXPORT|ATTACH|INSTALL)\b", re.IGNORECASE)
# What the lexical check skips: string literals, `quoted` names, // and /* */ comments.
_NOT_WORDS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?(?:\*/|$)", re.DOTALL)
# A label or type after its colon is a name, not a clause: (c:Copy) is a read.
_LABEL = re.compile(r":\s*[A-Za-z_]\w*")
_OPERATOR = re.compile(r"\b([A-Z][A-Z_]*[A-Z])\[\d+\]")
_FUNCTION = re.compile(r"Function:\s*([A-Za-z_]\w*)")

# What users wrote, for the operators they most often meet.
SPOKEN = {"TRANSACTION": "CHECKPOINT, BEGIN, COMMIT or ROLLBACK", "STANDALONE_CALL": "CALL of a setting"}


class NotARead(KgError):
    """A statement that is not a read of the graph."""

    def __init__(self, what: str):
        super().__init__(f"refused: {what}; kg query runs reads of the graph only (MATCH … RETURN; "
                         "the README's \"Bad input and faults\" says what runs)")
        self.what = what


def check_read(conn, cypher: str, params: dict | None = None) -> None:
    """Raise NotARead unless `cypher` is one statement that only reads the graph."""
    words = _LABEL.sub(" ", _NOT_WORDS.sub(" ", cypher))
    if clause := FILE_CLAUSES.search(words):
        raise NotARead(f"{clause.group(1).upper()} (it reads or writes files)")
    with warnings.catch_warnings():  # "prepare + execute is deprecated": we only prepare, to parse
        warnings.simplefilter("ignore", DeprecationWarning)
        prepared = conn.prepare(cypher)  # parses and plans, runs nothing
    if not prepared.is_success():
        if "multiple statements" in prepared.get_error_message():
            raise NotARead("more than one statement (separated by ;)")
        return  # not a statement at all: running it reports LadybugDB's own error
    operators, functions = plan_of(conn, cypher, params)
    if other := sorted(operators - READ_OPERATORS):
        raise NotARead(SPOKEN.get(other[0], other[0].replace("_", " ")))
    if other := sorted(functions - READ_FUNCTIONS):
        raise NotARead(f"CALL {other[0].lower()}")


def plan_of(conn, cypher: str, params: dict | None = None) -> tuple[set[str], set[str]]:
    """(operators, table functions) of the plan LadybugDB makes for `cypher`. The drawn
    plan names each box's operator as NAME[id], and a table function as `Function: NAME`
    (boxes side by side share lines, so the two are read as sets). Text of the query
    quoted in the plan can only add names, so it can make a read refused, never a
    write allowed."""
    result = conn.execute(f"EXPLAIN {cypher}", params or {})
    plan = "".join(str(row[0]) for row in _rows(result))
    operators = set(_OPERATOR.findall(plan))
    if not operators:
        raise NotARead("a statement LadybugDB gives no plan for")
    return operators, {f.upper() for f in _FUNCTION.findall(plan)}


def _rows(result):
    while result.has_next():
        yield result.get_next()

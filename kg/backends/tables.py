"""Writers of kg.tables: CSV files, one SQLite database, Parquet files.

Each takes (table, rows) pairs from kg.tables.tables_of, writes rows as they come (a
batch at a time), and returns rows written per table. The codebook (kg/data/codebook.json)
goes with them: codebook.md and codebook.csv beside CSV and Parquet files, a codebook
table inside the SQLite database. pyarrow is imported only by the Parquet writer.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import sqlite3
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from kg.tables import Table, codebook

BATCH = 10_000  # rows per Parquet row group and per SQLite executemany


def _batches(rows: Iterable[tuple]) -> Iterator[list[tuple]]:
    it = iter(rows)
    while batch := list(islice(it, BATCH)):
        yield batch


# -- the codebook as files --------------------------------------------------------------

CODEBOOK_FIELDS = ["table", "column", "type", "meaning", "derivation", "missing", "joins"]


def write_codebook(folder: Path, fmt: str) -> None:
    """codebook.csv (one row per column) and codebook.md (the same, per table, with the
    conventions and what the store does not keep) for the tables `fmt` writes."""
    from kg.data import load

    book = load("codebook.json")
    tables = [t for t in codebook().values() if t.formats is None or fmt in t.formats]
    with open(folder / "codebook.csv", "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(CODEBOOK_FIELDS)
        for t in tables:
            for c in t.columns:
                out.writerow([t.name, c.name, c.type, c.meaning, c.derivation, c.missing, c.references or ""])
    md = io.StringIO()
    md.write("# Codebook\n\n" + book["_doc"].split(" (kg.tables reads it")[0] + ".\n\n")
    md.write(f"Types: text (UTF-8), integer, date ({_DATE_FORM[fmt]}).\n\n")
    md.write(f"Missing values: {book['missing_values']}\n\n")
    md.write("Not in these tables:\n\n")
    md.writelines(f"- `{x['field']}`: {x['why']}\n" for x in book["left_out"])
    for t in tables:
        md.write(f"\n## {t.name}\n\n{t.doc}\n\n| column | type | meaning | derivation | missing | joins |\n"
                 "|---|---|---|---|---|---|\n")
        for c in t.columns:
            cells = [f"`{c.name}`", c.type, c.meaning, c.derivation, c.missing, f"`{c.references}`" if c.references else ""]
            md.write("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |\n")
    (folder / "codebook.md").write_text(md.getvalue(), encoding="utf-8")


_DATE_FORM = {"tables": "YYYY-MM-DD text", "parquet": "date32", "sqlite": "ISO text, CHECK (col IS date(col))"}


# -- CSV ------------------------------------------------------------------------------

def write_csv(tables: Iterable[tuple[Table, Iterable[tuple]]], folder: Path) -> dict[str, int]:
    """One TABLE.csv per table: UTF-8 without BOM, a header row, null as an empty field."""
    counts = {}
    for table, rows in tables:
        with open(folder / f"{table.name}.csv", "w", encoding="utf-8", newline="") as f:
            out = csv.writer(f)
            out.writerow(table.names)
            n = 0
            for batch in _batches(rows):
                out.writerows(batch)
                n += len(batch)
        counts[table.name] = n
    write_codebook(folder, "tables")
    return counts


# -- Parquet ----------------------------------------------------------------------------

def write_parquet(tables: Iterable[tuple[Table, Iterable[tuple]]], folder: Path) -> dict[str, int]:
    """One TABLE.parquet per table, typed (string, int64, date32), each column's meaning
    in its field metadata; one row group per BATCH rows."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        from kg.errors import KgError

        raise KgError("Parquet needs pyarrow: pip install 'kg[tables]' (or pip install pyarrow); "
                      "--format tables (CSV) and --format sqlite need nothing more") from None
    types = {"text": pa.string(), "integer": pa.int64(), "date": pa.date32()}
    counts = {}
    for table, rows in tables:
        schema = pa.schema([pa.field(c.name, types[c.type], metadata={"description": c.meaning})
                            for c in table.columns], metadata={"description": table.doc})
        dates = [i for i, c in enumerate(table.columns) if c.type == "date"]
        n = 0
        with pq.ParquetWriter(folder / f"{table.name}.parquet", schema) as out:
            for batch in _batches(rows):
                columns = [list(col) for col in zip(*batch)]
                for i in dates:
                    columns[i] = [None if v is None else dt.date.fromisoformat(v) for v in columns[i]]
                out.write_table(pa.Table.from_arrays(columns, schema=schema))
                n += len(batch)
        counts[table.name] = n
    write_codebook(folder, "parquet")
    return counts


# -- SQLite -----------------------------------------------------------------------------

# Full-text search as sqlite-utils' enable_fts makes it (an FTS5 table over the table's
# rowid, content=[table]), so Datasette offers a search box. The trigram tokenizer
# (SQLite ≥ 3.34) finds any run of 3 or more characters: Chinese has no spaces for the
# default tokenizer to split words at.
FTS = {"notices": ["title"], "regulations": ["title"], "problems": ["heading", "subheading", "text"],
       "measures": ["text"]}
SQL_TYPES = {"text": "TEXT", "integer": "INTEGER", "date": "TEXT"}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_table_sql(table: Table) -> str:
    """CREATE TABLE with the key as primary key, dates checked as ISO days and joins as
    foreign keys (Datasette links them)."""
    columns = []
    for c in table.columns:
        sql = f"{_q(c.name)} {SQL_TYPES[c.type]}"
        if c.name == "key":
            sql += " PRIMARY KEY"
        if c.type == "date":
            sql += f" CHECK ({_q(c.name)} IS date({_q(c.name)}))"  # IS: null passes, '2024/08/20' (date() null) fails
        if c.references:
            target, column = c.references.split(".")
            sql += f" REFERENCES {_q(target)}({_q(column)})"
        columns.append(sql)
    return f"CREATE TABLE {_q(table.name)} (\n  " + ",\n  ".join(columns) + "\n)"


def write_sqlite(tables: Iterable[tuple[Table, Iterable[tuple]]], path: Path) -> dict[str, int]:
    """One database: a table per table, indexes on the join columns, FTS5 on titles and
    problem and measure text. Written without journal into a file no one reads yet."""
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        counts = {}
        for table, rows in tables:
            db.execute(create_table_sql(table))
            insert = (f"INSERT INTO {_q(table.name)} VALUES ({', '.join('?' * len(table.columns))})")
            n = 0
            for batch in _batches(rows):
                db.executemany(insert, batch)
                n += len(batch)
            for c in table.columns:
                if c.references:
                    db.execute(f"CREATE INDEX {_q(f'idx_{table.name}_{c.name}')} ON {_q(table.name)}({_q(c.name)})")
            db.commit()
            counts[table.name] = n
            if table.name in FTS:
                _enable_fts(db, table.name, FTS[table.name])
        db.execute("PRAGMA foreign_keys = ON")  # for readers that ask: the file keeps no setting
        bad = db.execute("PRAGMA foreign_key_check").fetchmany(1)
        if bad:  # a bug of kg's: the tables are written from one store
            raise AssertionError(f"{path}: a row of {bad[0][0]} joins no row of {bad[0][2]}")
        db.execute("ANALYZE")
        db.commit()
    finally:
        db.close()
    return counts


def _enable_fts(db: sqlite3.Connection, table: str, columns: list[str]) -> None:
    cols = ", ".join(f"[{c}]" for c in columns)
    try:
        db.execute(f"CREATE VIRTUAL TABLE [{table}_fts] USING FTS5 ({cols}, tokenize='trigram', content=[{table}])")
    except sqlite3.OperationalError:  # an SQLite before 3.34: words split by spaces and punctuation only
        db.execute(f"CREATE VIRTUAL TABLE [{table}_fts] USING FTS5 ({cols}, content=[{table}])")
    db.execute(f"INSERT INTO [{table}_fts] (rowid, {cols}) SELECT rowid, {cols} FROM [{table}]")
    db.commit()


WRITERS = {"tables": write_csv, "parquet": write_parquet, "sqlite": write_sqlite}


def export_store(source: str, fmt: str, out: str | None) -> str:
    """Write the tables of the store `source` in `fmt` (tables, sqlite, parquet) to `out`
    (a new or empty folder; a file for sqlite), built beside it and moved into place, so a
    failed export leaves nothing half-written. Returns the line that says what was written."""
    from kg.backends.embedded import EXPORT_BUFFER_POOL, EmbeddedStore
    from kg.errors import KgError
    from kg.fileio import built_beside, writing
    from kg.store_folder import is_store
    from kg.tables import tables_of

    what = "FILE.db" if fmt == "sqlite" else "FOLDER"
    if not out or out == "-":
        raise KgError(f"--format {fmt} writes {'a database' if fmt == 'sqlite' else 'a folder of files'}; "
                      f"name it with --out {what}")
    if not is_store(source):
        raise KgError(f"{source}: --format {fmt} is written from a store; build one first: "
                      f"kg build {source} --db STORE.kg, then kg export STORE.kg --format {fmt} --out {what}")
    target = Path(out)
    if fmt != "sqlite" and target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise KgError(f"{target}: is not a new or empty folder; --format {fmt} writes its files into one")
    if fmt == "sqlite" and target.is_dir():
        raise KgError(f"{target}: is a folder; --format sqlite writes one file (--out FILE.db)")
    # Through the small pool every export reads the store with: kg.tables holds a window
    # at a time (the read pool kept every page read, 1 GB at 10 000 notices).
    try:
        with writing(target), built_beside(target, folder=fmt != "sqlite") as made, \
                EmbeddedStore(source).connect(EXPORT_BUFFER_POOL) as conn:
            counts = WRITERS[fmt](tables_of(conn, fmt), made)
    except RuntimeError as e:
        if "buffer pool is full" not in str(e):
            raise
        raise KgError(f"{source}: reading the store for --format {fmt} failed: {e}; give LadybugDB more memory: "
                      f"KG_EXPORT_BUFFER_POOL={2 * EXPORT_BUFFER_POOL} (bytes); nothing was written") from None
    size = target.stat().st_size if fmt == "sqlite" else sum(p.stat().st_size for p in target.iterdir())
    rows = sum(v for k, v in counts.items() if k != "codebook")
    return (f"{target}: {len(counts) - ('codebook' in counts)} tables, {rows} rows ({size / 1e6:.1f} MB): "
            + ", ".join(f"{k} {v}" for k, v in counts.items() if k != "codebook")
            + ("; the codebook table says what each column means" if fmt == "sqlite"
               else "; codebook.md says what each column means"))

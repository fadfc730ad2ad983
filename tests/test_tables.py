"""kg export --format tables|sqlite|parquet on the seed store: what pandas, pyarrow and
sqlite3 read back equals the store's counts and the seed records' facts."""
from __future__ import annotations

import csv
import sqlite3

import pandas as pd
import pyarrow.parquet as pq
import pytest

from kg import tables
from kg.data import load
from kg.backends.tables import export_store
from kg.errors import KgError
from kg.resolve import qualified_team_name
from tests.cli import kg
from tests.conftest import as_stored

# table → (node label or relationship type) it has one row per
ONE_ROW_PER = {"notices": "Document", "problems": "Problem", "measures": "Measure", "regulations": "Regulation",
               "organizations": "Organization", "inspections": "Inspection", "teams": "InspectionTeam",
               "citations": "CITES"}


def day(iso: str | None) -> str | None:
    """A date stated to the day (2022-05, to the month, is no date column's value)."""
    return iso if iso and len(iso) == 10 else None


def lag(a: str | None, b: str | None) -> int | None:
    return (pd.Timestamp(b) - pd.Timestamp(a)).days if day(a) and day(b) else None


@pytest.fixture(scope="module")
def exported(tmp_path_factory, seed_store) -> dict:
    out = tmp_path_factory.mktemp("tables")
    for fmt, target in (("tables", out / "csv"), ("parquet", out / "parquet"), ("sqlite", out / "seeds.db")):
        export_store(str(seed_store.path), fmt, str(target))
    return {"csv": out / "csv", "parquet": out / "parquet", "sqlite": out / "seeds.db"}


def read_all(exported, fmt: str) -> dict[str, pd.DataFrame]:
    """Every data table as pandas reads it from one format."""
    if fmt == "csv":
        return {t: pd.read_csv(exported["csv"] / f"{t}.csv", dtype=str, keep_default_na=False) for t in ONE_ROW_PER}
    if fmt == "parquet":
        return {t: pq.read_table(exported["parquet"] / f"{t}.parquet").to_pandas() for t in ONE_ROW_PER}
    with sqlite3.connect(exported["sqlite"]) as db:
        return {t: pd.read_sql(f'SELECT * FROM "{t}"', db) for t in ONE_ROW_PER}


@pytest.mark.parametrize("fmt", ["csv", "parquet", "sqlite"])
def test_row_counts_are_the_stores(exported, seed_store, fmt):
    nodes, relationships = seed_store.counts()
    stored = {**nodes, **relationships}
    frames = read_all(exported, fmt)
    assert {t: len(frames[t]) for t in ONE_ROW_PER} == {t: stored[x] for t, x in ONE_ROW_PER.items()}
    for t in ONE_ROW_PER:
        assert frames[t]["key"].is_unique, t


def test_every_notice_row_states_its_records_facts(exported, records):
    notices = pq.read_table(exported["parquet"] / "notices.parquet").to_pylist()
    by_key = {row["key"]: row for row in notices}
    for r in as_stored(records).values():
        row = by_key[r["sha256"]]
        iss, ins = r["issuer"] or {}, r["inspection"] or {}
        expected = {
            "source": r["source"], "doc_type": r["doc_type"], "title": r["title"], "url": r.get("url"),
            "published": day(r["published"]), "issuer": iss.get("name"), "organization": iss.get("organization"),
            "region": iss.get("region"), "province": iss.get("province"), "level": iss.get("level"),
            "inspection_kind": ins.get("kind"), "team": qualified_team_name(ins) if ins else None,
            "team_number": ins.get("team_number"), "round": ins.get("round"),
            "start": day(ins.get("start")), "end": day(ins.get("end")), "feedback": day(ins.get("feedback")),
            # the store links a committee to an inspection through its team
            "committee": ins.get("committee") if ins.get("team") else None,
            "problems": len(r["problems"]), "measures": sum(len(p["measures"]) for p in r["problems"]),
            # a short form standing for two titles is a citation of each
            "citations": sum(len(c["alias_of"] or []) or 1 for c in r["citations"]),
        }
        got = {k: row[k] for k in expected}
        got.update({k: got[k] and got[k].isoformat() for k in ("published", "start", "end", "feedback")})
        assert got == expected, r["source"]
        assert row["days_end_to_feedback"] == lag(ins.get("end"), ins.get("feedback"))
        assert row["days_feedback_to_published"] == lag(ins.get("feedback"), r["published"])


def table_rows(exported, fmt: str, table: str = "notices") -> dict[str, dict]:
    """key → the table's row as plain Python values (null None, dates ISO text), as each
    format's own reader gives it; CSV's text cast by the codebook's column types."""
    if fmt == "parquet":
        rows = pq.read_table(exported["parquet"] / f"{table}.parquet").to_pylist()
        rows = [{k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in r.items()} for r in rows]
    elif fmt == "sqlite":
        with sqlite3.connect(exported["sqlite"]) as db:
            db.row_factory = sqlite3.Row
            rows = [dict(r) for r in db.execute(f'SELECT * FROM "{table}"')]
    else:
        types = {c.name: c.type for c in tables.codebook()[table].columns}
        with open(exported["csv"] / f"{table}.csv", encoding="utf-8", newline="") as f:
            rows = [{k: None if v == "" else int(v) if types[k] == "integer" else v for k, v in r.items()}
                    for r in csv.DictReader(f)]
    return {r["key"]: r for r in rows}


@pytest.mark.parametrize("fmt", ["csv", "parquet", "sqlite"])
def test_every_notice_row_states_its_records_totals(exported, records, fmt):
    from tests.test_resolve import stated_names

    rows = table_rows(exported, fmt)
    stating = 0
    for r in records.values():
        row, totals = rows[r["sha256"]], r["stated_totals"] or {}
        assert {n: row[f"stated_{n}"] for n in stated_names()} == {n: totals.get(n) for n in stated_names()}, r["source"]
        spans = [e["span"] for e in totals.get("evidence", {}).values()]
        assert (row["stated_totals_span_start"], row["stated_totals_span_end"]) == \
               (min((a for a, _ in spans), default=None), max((b for _, b in spans), default=None))
        stating += bool(spans)
    assert stating >= 3  # seeds 001, 002 and 003 state totals


@pytest.mark.parametrize("fmt", ["csv", "parquet", "sqlite"])
def test_every_problem_row_states_its_framework_item(exported, records, fmt):
    rows = {(r["notice_key"], r["span_start"]): r for r in table_rows(exported, fmt, "problems").values()}
    placed = 0
    for r in records.values():
        for p in r["problems"]:
            row, f = rows[(r["sha256"], p["span"][0])], p["framework"]
            span = f.get("span") or [None, None]
            assert [row[c] for c in tables.FRAMEWORK] == [f["item"], f["framework"], f["rule"], *span], p["span"]
            placed += f["item"] != "unplaced"
    assert placed >= 100  # of the seeds' 112 problems, 110 are placed (tests/test_framework_themes.py)


def test_title_rule_is_the_titles_beside_stated_totals(exported, records):
    rows = table_rows(exported, "sqlite")
    for r in records.values():
        title = r.get("evidence", {}).get("title")
        assert rows[r["sha256"]]["title_rule"] == (title["rule"] if title else "document.read"), r["source"]


def test_seed_002_as_a_researcher_reads_it(exported):
    """The lag example of the README, on the seeds: pandas from notices.csv."""
    notices = pd.read_csv(exported["csv"] / "notices.csv", parse_dates=["end", "feedback", "published"])
    row = notices.set_index("source").loc["seeds/002_758074bb1886fac5.txt"]
    assert (row.organization, row.province, row.level) == ("政协桑植县委员会", "湖南省", "county")
    assert (row.feedback - row.end).days == row.days_end_to_feedback == 38
    assert notices.groupby("province").days_end_to_feedback.median().loc["湖南省"] == (47 + 38) / 2


def test_citation_rows_join_their_notice_and_regulation(exported, seed_store):
    with sqlite3.connect(exported["sqlite"]) as db:
        rows = db.execute("SELECT c.regulation_title, g.title, c.kind, g.kind, c.rule, n.source FROM citations c "
                          "JOIN regulations g ON g.key = c.regulation_key JOIN notices n ON n.key = c.notice_key").fetchall()
        assert len(rows) == seed_store.counts()[1]["CITES"]
        assert all(a == b and k == g for a, b, k, g, _, _ in rows)
        assert {rule for *_, rule, _ in rows} >= {"citations.title_marks"}
        cited = db.execute("SELECT notices, organizations FROM regulations WHERE title = '中国共产党纪律处分条例'").fetchone()
    assert cited[0] >= 2 and cited[1] == cited[0]  # each seed notice is its own organization's


def test_sqlite_declares_foreign_keys_and_passes_the_check(exported):
    with sqlite3.connect(exported["sqlite"]) as db:
        db.execute("PRAGMA foreign_keys = ON")
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        declared = {(t, row[3], row[2]) for t in ONE_ROW_PER for row in db.execute(f"PRAGMA foreign_key_list({t})")}
        assert {("citations", "notice_key", "notices"), ("citations", "regulation_key", "regulations"),
                ("measures", "problem_key", "problems"), ("notices", "organization_key", "organizations")} <= declared
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO citations (key, notice_key) VALUES ('x', 'no such notice')")
        with pytest.raises(sqlite3.IntegrityError):  # dates are ISO days
            db.execute("INSERT INTO notices (key, published) VALUES ('x', '2024/08/20')")


def test_dates_are_typed(exported):
    schema = pq.read_schema(exported["parquet"] / "notices.parquet")
    assert str(schema.field("published").type) == "date32[day]" and str(schema.field("published_month").type) == "string"
    assert schema.field("problems").metadata[b"description"]
    with sqlite3.connect(exported["sqlite"]) as db:
        types = {row[1]: row[2] for row in db.execute("PRAGMA table_info(notices)")}
    assert (types["published"], types["problems"], types["key"]) == ("TEXT", "INTEGER", "TEXT")


def test_full_text_search_finds_a_problem_by_a_word(exported):
    with sqlite3.connect(exported["sqlite"]) as db:
        found = db.execute("SELECT p.text FROM problems_fts f JOIN problems p ON p.rowid = f.rowid "
                           "WHERE problems_fts MATCH ?", ['text : "官僚主义"']).fetchall()
        titles = db.execute("SELECT title FROM regulations_fts WHERE regulations_fts MATCH ?", ["纪律处分"]).fetchall()
        # Datasette's detect_fts reads content=[table] from the virtual table's SQL
        sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'problems_fts'").fetchone()[0]
    assert found and all("官僚主义" in t for (t,) in found)
    assert ("中国共产党纪律处分条例",) in titles
    assert "content=[problems]" in sql


def written_columns(exported) -> dict[str, list[str]]:
    """table → columns, as each format wrote them (fts and SQLite's own tables aside)."""
    out = {}
    for path in exported["csv"].glob("*.csv"):
        if path.stem != "codebook":
            with open(path, encoding="utf-8", newline="") as f:
                out[f"csv {path.stem}"] = next(csv.reader(f))
    for path in exported["parquet"].glob("*.parquet"):
        out[f"parquet {path.stem}"] = pq.read_schema(path).names
    with sqlite3.connect(exported["sqlite"]) as db:
        names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                 if not n.startswith("sqlite_") and "_fts" not in n]
        for n in names:
            out[f"sqlite {n}"] = [row[1] for row in db.execute(f'PRAGMA table_info("{n}")')]
    return out


def test_the_codebook_names_every_column_written(exported):
    book = tables.codebook()
    written = written_columns(exported)
    assert {k.split()[1] for k in written} == set(book)
    for where, columns in written.items():
        assert columns == book[where.split()[1]].names, where
    for folder in (exported["csv"], exported["parquet"]):
        with open(folder / "codebook.csv", encoding="utf-8", newline="") as f:
            listed = {(r["table"], r["column"]) for r in csv.DictReader(f)}
        assert {(k.split()[1], c) for k, cols in written.items() for c in cols if k.split()[1] != "codebook"} <= listed
        md = (folder / "codebook.md").read_text(encoding="utf-8")
        assert "| `stated_problems` | integer |" in md and "| `days_end_to_feedback` | integer |" in md
        assert "stated_totals" not in {x["field"] for x in load("codebook.json")["left_out"]}  # the store keeps them
    for t in book.values():
        for c in t.columns:
            assert c.type in {"text", "integer", "date"} and c.meaning and c.derivation and c.missing, (t.name, c.name)
            if c.references:
                target, column = c.references.split(".")
                assert column in book[target].names


def test_an_undocumented_column_fails_the_export(seed_store, monkeypatch, tmp_path):
    def with_extra(conn, counts):
        for row in tables.teams(conn, counts):
            yield {**row, "colour": "red"}

    monkeypatch.setitem(tables.PRODUCERS, "teams", with_extra)
    with pytest.raises(tables.UndocumentedColumn, match="colour"):
        export_store(str(seed_store.path), "tables", str(tmp_path / "out"))
    assert not (tmp_path / "out").exists() and list(tmp_path.iterdir()) == []  # nothing half-written


def test_a_failed_sqlite_export_keeps_the_earlier_database(seed_store, exported, monkeypatch, tmp_path):
    earlier = tmp_path / "seeds.db"
    earlier.write_bytes(exported["sqlite"].read_bytes())

    def failing(conn, counts):
        yield from tables.teams(conn, counts)
        raise OSError("the writer failed half-way")

    monkeypatch.setitem(tables.PRODUCERS, "teams", failing)
    with pytest.raises(OSError, match="half-way"):
        export_store(str(seed_store.path), "sqlite", str(earlier))
    assert [p.name for p in tmp_path.iterdir()] == ["seeds.db"]  # no temporary folder left
    with sqlite3.connect(earlier) as db:
        assert db.execute("SELECT count(*) FROM notices").fetchone() == (5,)
    assert earlier.read_bytes() == exported["sqlite"].read_bytes()


def test_a_buffer_pool_too_small_is_one_line_that_says_how_much_to_give(seed_store, tmp_path):
    small = 4 * 1024 * 1024  # too small for the seeds' windows
    done = kg("export", str(seed_store.path), "--format", "sqlite", "--out", str(tmp_path / "seeds.db"),
              env={"KG_EXPORT_BUFFER_POOL": str(small)})
    err = done.stderr.decode()
    assert done.returncode == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert f"KG_EXPORT_BUFFER_POOL={2 * small}" in err and "nothing was written" in err
    assert list(tmp_path.iterdir()) == []


def test_pages_smaller_than_a_table_give_the_same_rows(seed_store, monkeypatch):
    with seed_store.connect() as conn:
        whole = {t.name: list(rows) for t, rows in tables.tables_of(conn, "tables")}
        monkeypatch.setattr(tables, "PAGE", 7)
        paged = {t.name: list(rows) for t, rows in tables.tables_of(conn, "tables")}
    # The same rows, each once (a page's rows come in the store's scan order, not the whole's).
    assert {t: sorted(map(repr, rows)) for t, rows in paged.items()} == {t: sorted(map(repr, rows)) for t, rows in whole.items()}


def test_cli_writes_the_formats_and_refuses_what_it_cannot(seed_store, tmp_path, seed_files):
    done = kg("export", str(seed_store.path), "--format", "tables", "--out", str(tmp_path / "t"))
    assert done.returncode == 0, done.stderr
    assert b"notices 5" in done.stderr and (tmp_path / "t" / "codebook.md").exists()
    done = kg("export", str(seed_store.path), "--out", str(tmp_path / "seeds.db"))  # .db names sqlite
    assert done.returncode == 0 and sqlite3.connect(tmp_path / "seeds.db").execute(
        "SELECT count(*) FROM notices").fetchone() == (5,)
    again = kg("export", str(seed_store.path), "--format", "tables", "--out", str(tmp_path / "t"))
    assert again.returncode == 1 and b"not a new or empty folder" in again.stderr
    notices = kg("export", str(seed_files[0]), "--format", "parquet", "--out", str(tmp_path / "p"))
    assert notices.returncode == 1 and b"written from a store" in notices.stderr and not (tmp_path / "p").exists()
    with pytest.raises(KgError, match="--out FILE.db"):
        export_store(str(seed_store.path), "sqlite", None)

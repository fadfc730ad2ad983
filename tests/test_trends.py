"""Trends and themes across notices: per period counts and lags (checked against the
dates in the records), problem themes with the domain's terms kept whole, regulation
communities, the pictures in headless Chromium, and the named query's agreement."""
from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import defaultdict

import pytest

from kg.data import load
from kg.read import read_source
from kg.themes import WORD, Segmenter, terms_of
from kg.trends import communities, trends
from tests.cli import kg
from tests.conftest import REPO


def _days(a: str, b: str) -> int:
    return (dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days


def test_one_row_per_year_with_counts_and_lags_from_the_records(seed_store, records):
    result = kg("trends", "--db", str(seed_store.path), "--by", "year", "--format", "json")
    assert result.returncode == 0, result.stderr.decode()
    rows = {r["period"]: r for r in json.loads(result.stdout)}
    # What the records say: each rectification notice by its inspection's start year.
    by_year = defaultdict(list)
    for r in records.values():
        if r["inspection"] and r["inspection"]["start"]:
            by_year[r["inspection"]["start"][:4]].append(r)
    assert sorted(rows) == sorted(by_year) == ["2020", "2023", "2024"]
    assert "1 notice with neither date is left out" in result.stderr.decode()  # the annual report
    for year, recs in by_year.items():
        row = rows[year]
        assert row["notices"] == row["inspections"] == row["organizations"] == len(recs)
        assert row["dated_by"] == {"inspection_start": len(recs), "published": 0}
        feedback = [_days(r["inspection"]["end"], r["inspection"]["feedback"]) for r in recs]
        report = [_days(r["inspection"]["feedback"], r["published"]) for r in recs if r["published"]]
        assert row["days_end_to_feedback"]["median"] == statistics.median(feedback)
        assert (row["days_feedback_to_publication"] or {}).get("median") == (statistics.median(report) if report else None)


def test_new_regulations_are_those_the_period_before_did_not_cite(seed_store, records):
    rows, meta = trends(seed_store, "year")
    assert meta["undated_notices"] == 1 and rows[0]["new_regulations"] == []  # nothing before the first
    cited = defaultdict(set)  # year → shared titles its notices cite, from the records
    for r in records.values():
        if r["inspection"] and r["inspection"]["start"]:
            cited[r["inspection"]["start"][:4]] |= {c["title"] for c in r["citations"]
                                                    if c["kind"] not in ("not_regulation", "internal_rule")}
    for before, row in zip(rows, rows[1:]):
        new = set(row["new_regulations"])
        assert new and not new & cited[before["period"]]
        assert new <= cited[row["period"]]
    by_kind, _ = trends(seed_store, "kind")
    assert {r["period"] for r in by_kind} == {"巡察", "巡视"} and all(r["new_regulations"] == [] for r in by_kind)
    by_quarter, _ = trends(seed_store, "quarter")
    assert [r["period"] for r in by_quarter] == ["2020-Q2", "2023-Q4", "2024-Q1"]


def test_themes_cut_as_jieba_posseg_does_without_hmm(seed_files):
    """kg.themes' own cut, quicker to start, gives the words and tags of jieba.posseg's
    cut(HMM=False) on every sentence of the seed and dev notices (the words themes are
    made of: two or more Chinese characters)."""
    import jieba
    import jieba.posseg

    terms = load("themes.json")["terms"]
    reference = jieba.posseg.POSTokenizer(jieba.Tokenizer())
    for term in terms:
        reference.tokenizer.add_word(term, freq=10**6, tag="nz")
    ours = Segmenter(terms)
    dev = sorted((REPO.parent / "shared" / "corpus" / "dev").glob("*.txt"))
    sentences = [s for f in [*seed_files, *dev] for s in read_source(str(f)).text.split("。")]
    assert len(sentences) > 900 and len(dev) >= 20
    for text in sentences:
        expected = [(pair.word, pair.flag) for pair in reference.cut(text, HMM=False) if WORD.fullmatch(pair.word)]
        assert [(w, tag) for w, tag in ours.cut(text) if WORD.fullmatch(w)] == expected, text


def test_themes_keep_the_domains_terms_whole(seed_store, tmp_path):
    # Problem sentences as seeds 000 and 002 state them.
    assert "第一议题" in terms_of("贯彻落实第一议题不到位。")
    assert "三重一大" in terms_of("“三重一大”讨论研究程序不到位。")
    result = kg("trends", "--db", str(seed_store.path), "--themes", "--top", "500", "--format", "json")
    found = {row["theme"]: row for row in json.loads(result.stdout)}
    assert {"第一议题", "三重一大"} <= set(found)
    assert found["第一议题"]["organizations"] == 2  # raised by two organizations' notices
    assert not {"不到位", "落实", "存在", "问题"} & set(found)  # formulaic words say nothing
    ranked = json.loads(result.stdout)
    assert ranked[0]["theme"] == "第一议题"  # most distinctive of problems, and raised by two organizations
    # A user's own term is kept whole too.
    terms = tmp_path / "terms.txt"
    terms.write_text("# ours\n暮气较重\n", encoding="utf-8")
    mine = kg("trends", "--db", str(seed_store.path), "--themes", "--top", "500", "--terms", str(terms), "--format", "json")
    assert "暮气较重" in {row["theme"] for row in json.loads(mine.stdout)}


def test_explain_a_theme_lists_its_problems_with_spans(seed_store):
    result = kg("explain", "--db", str(seed_store.path), "三重一大")
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert out.startswith("Theme 三重一大: 1 problem\n")
    assert "[problems." in out and "【" in out and "三重一大" in out


def test_regulation_communities(seed_store):
    groups = communities(seed_store)
    members = [m for g in groups for m in g["members"]]
    assert len(members) == len(set(members))  # each regulation in one community
    assert groups == communities(seed_store)  # deterministic (seeded Louvain)
    assert any("中国共产党纪律处分条例" in g["members"] for g in groups)
    result = kg("trends", "--db", str(seed_store.path), "--communities", "--format", "json")
    listed = json.loads(result.stdout)
    assert [r["regulations"] for r in listed] == [g["size"] for g in groups]
    assert all(len(r["members"]) == r["regulations"] for r in listed)  # every member listed, none cut
    # A community one organization alone cites is its habit, not regulations travelling together.
    assert all(g["organizations"] >= 2 for g in groups)
    alone = communities(seed_store, min_organizations=1)
    assert len(alone) > len(groups) and any(g["organizations"] == 1 for g in alone)


def test_groupings_say_why_notices_are_left_out(seed_store):
    for by, reason in [("province", "whose organization no notice places in a province"),
                       ("level", "whose organization no notice places in a division"),
                       ("kind", "naming no kind of inspection")]:
        result = kg("trends", "--db", str(seed_store.path), "--by", by, "--format", "json")
        said = result.stderr.decode()
        assert result.returncode == 0 and reason in said and "neither date" not in said, (by, said)


def test_named_query_agrees_with_trends(seed_store):
    rows, _ = trends(seed_store, "year")
    result = kg("query", "--db", str(seed_store.path), "--name", "inspections-by-year", "--format", "json")
    named = {r["year"]: r for r in json.loads(result.stdout)}
    for row in rows:
        n = named[row["period"]]
        assert (n["notices"], n["inspections"], n["organizations"]) == (row["notices"], row["inspections"], row["organizations"])
        assert n["median_days_to_feedback"] == row["days_end_to_feedback"]["median"]


def test_pictures_render_with_chinese_labels(seed_store, tmp_path):
    from PIL import Image

    from tests.test_viz import open_offline

    for args, name in ((["trends"], "trends.html"), (["themes"], "themes.html")):
        page = tmp_path / name
        result = kg("viz", *args, "--db", str(seed_store.path), "--out", str(page))
        assert result.returncode == 0, result.stderr.decode()
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text and "http" not in text  # self-contained, nothing fetched
        dom, log = open_offline(page, tmp_path)
        assert ("巡视巡察整改通报趋势" if name == "trends.html" else "问题主题") in dom
        shot = Image.open(tmp_path / f"{page.stem}.png").convert("L")
        dark = sum(1 for p in shot.getdata() if p < 160)
        assert dark > 5_000  # drawn, not blank
    png = tmp_path / "trends.png"
    assert kg("viz", "trends", "--db", str(seed_store.path), "--out", str(png)).returncode == 0
    assert Image.open(png).width > 800


@pytest.mark.parametrize("by", ["province", "level"])
def test_group_by_place(seed_store, by):
    rows, meta = trends(seed_store, by)
    assert sum(r["notices"] for r in rows) + meta["undated_notices"] == 5


def _quarters(rows: list[dict], n: int) -> list[dict]:
    """n quarters' rows, made from the seeds' rows (what the figure needs of a row)."""
    return [dict(rows[i % len(rows)], period=f"{2000 + i // 4}-Q{i % 4 + 1}") for i in range(n)]


def _drawn(fig, artists):
    renderer = fig.canvas.get_renderer()
    return [a.get_window_extent(renderer=renderer) for a in artists if a.get_visible() and a.get_text()]


@pytest.mark.parametrize("periods", [3, 30, 300])
def test_trends_figure_has_a_sane_size_whatever_the_periods(seed_store, periods):
    """At most 2 400 × 2 400 px (the quarters of 2 000 notices made 8 700 × 600); every
    period keeps its bar, tick labels shown never overlap, values shown fit their bars,
    counts are whole."""
    import matplotlib.pyplot as plt

    from kg.viz.trends import DPI, draw_trends

    rows = _quarters(trends(seed_store, "year")[0], periods)
    fig = draw_trends(rows, "quarter")
    width, height = fig.get_size_inches() * DPI
    assert 1000 <= width <= 2400 and height <= 2400
    for ax in fig.axes:
        assert len(ax.patches) == periods
        ticks = sorted(_drawn(fig, ax.get_xticklabels()), key=lambda b: b.x0)
        assert ticks and all(a.x1 <= b.x0 for a, b in zip(ticks, ticks[1:]))
        bar = ax.patches[0].get_window_extent(renderer=fig.canvas.get_renderer()).width
        assert all(b.width <= bar + 0.5 for b in _drawn(fig, ax.texts))
        low, high = ax.get_ylim()
        assert all(float(t).is_integer() for t in ax.get_yticks() if low <= t <= high)
    shown = sum(len(_drawn(fig, ax.get_xticklabels())) for ax in fig.axes)
    assert shown == 3 * periods if periods <= 30 else 0 < shown < 3 * periods  # thinned only when they cannot all fit
    plt.close(fig)


def test_trends_figure_sums_the_smaller_groups_and_says_so(seed_store):
    import matplotlib.pyplot as plt

    from kg.trends import OTHER
    from kg.viz.trends import draw_trends

    every, _ = trends(seed_store, "province")
    rows, meta = trends(seed_store, "province", top=2)
    largest = sorted(every, key=lambda r: (-r["notices"], r["period"]))[:2]
    assert [r["period"] for r in rows] == sorted(r["period"] for r in largest) + [OTHER]
    assert meta["merged"] == sorted(r["period"] for r in every if r not in largest)
    assert rows[-1]["notices"] == sum(r["notices"] for r in every if r not in largest)
    assert sum(r["notices"] for r in rows) == sum(r["notices"] for r in every)
    assert trends(seed_store, "year", top=1)[0] == trends(seed_store, "year")[0]  # periods are never merged
    fig = draw_trends(rows, "province", meta["merged"])
    assert f"按通报数前 2 个省份；其余 {len(meta['merged'])} 个合计为“其他”" in fig._suptitle.get_text()
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()][-1] == OTHER
    plt.close(fig)


def test_themes_page_says_which_organizations_it_shows(seed_store, tmp_path):
    """The columns are the organizations raising the most of the themes shown, and the
    page says how many of how many (at 2 000 notices: 40 of 927, unsaid before)."""
    import re

    from kg.themes import themes
    from kg.trends import PROBLEMS_WITH_ORGANIZATIONS
    from kg.viz.trends import themes_html

    found = themes(seed_store.query(PROBLEMS_WITH_ORGANIZATIONS)[1])[:30]
    names = dict(seed_store.query("MATCH (o:Organization) RETURN o.key, o.name")[1])
    raised = defaultdict(int)
    for t in found:
        for org in t.organizations:
            raised[org] += 1
    # The organizations raising the 30 themes shown, not every organization: the annual
    # report's three problems each raise a theme of its own (党建引领, 内生动力, 监督责任:
    # one organization, one problem), ranked after the 30th.
    every = {o for t in themes(seed_store.query(PROBLEMS_WITH_ORGANIZATIONS)[1]) for o in t.organizations}
    n = len(raised)
    assert 2 < n <= len(every) == 5
    expected = sorted(raised, key=lambda o: (-raised[o], names[o]))[:2]
    page = themes_html(found, names, 30, 2)
    assert re.findall(r'<th title="([^":]+):提出 (\d+) 个主题">', page) == [(names[o], str(raised[o])) for o in expected]
    assert f"显示 2 / {n} 个单位:提出这 30 个主题最多的 2 个(按提出的主题数排序,其余 {n - 2} 个单位未列出" in page
    assert f"显示 {n} / {n} 个单位:提出这些主题的全部单位" in themes_html(found, names, 30, 40)
    result = kg("viz", "themes", "--db", str(seed_store.path), "--out", str(tmp_path / "themes.html"), "--organizations", "2")
    assert result.returncode == 0 and f"30 themes, 2 of {n} organizations raising them" in result.stderr.decode()
    assert f"显示 2 / {n} 个单位" in (tmp_path / "themes.html").read_text(encoding="utf-8")

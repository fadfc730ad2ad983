"""Pictures: the recurrence counts against a walk through every citation, the interactive
page in a real headless Chromium with no network (on the seeds, and at 10 000 generated
notices: labels that do not overlap, at a readable size), the static figure's Chinese
labels, and the report."""
from __future__ import annotations

import html as html_text
import itertools
import json
import os
import re
import shutil
import subprocess
import warnings
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

from kg.viz import recurrence
from kg.viz.aggregate import aggregate
from kg.viz.report import html as report_html
from tests.cli import kg

RECURRING = {"关于新形势下党内政治生活的若干准则", "中国共产党党组工作条例", "党政领导干部选拔任用工作条例", "中国共产党纪律处分条例"}


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        if os.environ.get("KG_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed (Debian: apt-get install chromium)")
        pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    return exe


def open_offline(page: Path, tmp_path: Path, fragment: str = "") -> tuple[str, str]:
    """(DOM after scripts ran, browser log) with every network request refused."""
    shot = tmp_path / f"{page.stem}.png"
    args = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}", "--proxy-server=127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0", "--window-size=1400,900"]
    url = page.resolve().as_uri() + fragment
    dom = subprocess.run([*args, "--dump-dom", url], capture_output=True, timeout=120)
    subprocess.run([*args, f"--screenshot={shot}", url], capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 10_000  # the screenshot, kept for a look
    return dom.stdout.decode(), dom.stderr.decode(errors="replace")


def console_messages(log: str) -> list[str]:
    """What the page's scripts logged or threw; not the software WebGL driver's notes on
    its own speed (GL Driver Message), which a headless browser with no GPU prints."""
    return [line for line in log.splitlines()
            if ("CONSOLE" in line or "Uncaught" in line) and "GL Driver Message" not in line]


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


@pytest.fixture(scope="module")
def data(seed_store):
    return aggregate(seed_store)


WALK = """
MATCH (o:Organization)<-[:GROUP_OF]-(:PartyGroup)<-[:ISSUED_BY]-(:Document)-[:CITES]->(r:Regulation)
WHERE r.kind <> 'not_regulation'
OPTIONAL MATCH (o)-[:LOCATED_IN]->(g:Region)
RETURN r.key, coalesce(g.province, ''), coalesce(g.level, ''), o.key
"""


def walked(store, by: str) -> dict[str, dict[str, int]]:
    """Organizations per regulation and group, counted from every citation (CITES)."""
    seen: dict[str, dict[str, set]] = {}
    for reg, province, level, org in store.query(WALK)[1]:
        group = (level if by == "level" else province) or "—"
        seen.setdefault(reg, {}).setdefault(group, set()).add(org)
    return {reg: {g: len(orgs) for g, orgs in groups.items()} for reg, groups in seen.items()}


def test_recurrence_on_the_seeds(data):
    assert {r.title for r in data.regulations} == RECURRING
    assert data.recurring == len(RECURRING)
    discipline = next(r for r in data.regulations if r.key == "中国共产党纪律处分条例")
    assert dict(discipline.by_group) == {"湖南省": 1, "天津市": 1}
    assert sorted(data.organizations[i]["name"] for i in discipline.citing) == ["天津市妇女联合会", "政协桑植县委员会"]
    first = next(c for c in discipline.citations if c.raw == "《中国共产党纪律处分条例》")
    assert first.sentence == "整改情况:一是认真学习《中国共产党廉洁自律准则》《中国共产党纪律处分条例》等党纪党规,并严格执行。"
    assert any(c.raw == "《中國共產黨紀律處分條例》" for c in discipline.citations)  # the traditional notice


@pytest.mark.parametrize("by", ["province", "level"])
def test_counts_equal_a_walk_through_every_citation(generated, by):
    """On 1 000 generated notices: every regulation's organizations per group, as counted
    from ORGANIZATION_CITES, equal those found walking every CITES from its notice."""
    _, store = generated(1000)
    counted = aggregate(store, by=by, top=10**6, min_organizations=1)
    assert {r.key: dict(r.by_group) for r in counted.regulations} == walked(store, by)
    assert [r.organizations for r in counted.regulations] == sorted((r.organizations for r in counted.regulations),
                                                                   reverse=True)
    assert all(len(set(r.citing)) == r.organizations for r in counted.regulations)


def test_options_select_what_every_output_shows(generated):
    _, store = generated(1000)
    everything = walked(store, "province")
    top = aggregate(store, top=5, min_organizations=3)
    assert len(top.regulations) == 5 and top.recurring == sum(sum(g.values()) >= 3 for g in everything.values())
    province = max({g for groups in everything.values() for g in groups if g != "—"},
                   key=lambda g: sum(groups.get(g, 0) for groups in everything.values()))
    local = aggregate(store, top=10**6, min_organizations=2, province=province)
    assert {r.key: r.organizations for r in local.regulations} == {
        reg: groups[province] for reg, groups in everything.items() if groups.get(province, 0) >= 2}
    assert {o["group"] for o in local.organizations} == {province}
    party = aggregate(store, top=10**6, kind="party_regulation")
    assert party.regulations and {r.kind for r in party.regulations} == {"party_regulation"}


def layout_of(dom: str) -> dict:
    """What the page measured of itself once drawn (#kg-layout)."""
    found = re.search(r'<pre id="kg-layout"[^>]*>(.*?)</pre>', dom, re.S)
    assert found and found.group(1), "the page did not finish drawing"
    return json.loads(html_text.unescape(found.group(1)))


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    return [(a["text"], b["text"]) for a, b in itertools.combinations(boxes, 2)
            if a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]]


def test_interactive_page_offline_in_chromium(data, tmp_path):
    page = tmp_path / "recurrence.html"
    page.write_text(recurrence.html(data), encoding="utf-8")
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc=|<link|<img|@import|url\(", text)  # nothing to fetch; scripts inline
    dom, log = open_offline(page, tmp_path)
    assert 'id="kg-errors"' not in dom
    assert not console_messages(log)
    drawn = layout_of(dom)
    assert [b["text"] for b in drawn["table"]] == [r.title for r in data.regulations]
    assert RECURRING <= {b["title"] for b in drawn["network"]}  # 4 regulations, 4 organizations: room for all


def test_selecting_a_regulation_lists_citing_sentences(data, tmp_path):
    page = tmp_path / "recurrence.html"
    page.write_text(recurrence.html(data), encoding="utf-8")
    dom, _ = open_offline(page, tmp_path, "#select=" + quote("中国共产党纪律处分条例"))
    panel = dom.split('id="panel"', 1)[1].split("</ul>", 1)[0]
    assert "<h2>中国共产党纪律处分条例</h2>" in panel
    assert "以深入學習貫徹新修訂的<mark>《中國共產黨紀律處分條例》</mark>" in panel
    assert panel.count("<li>") == 5
    network = {b["title"] for b in layout_of(dom)["network"]}
    assert network == {"中国共产党纪律处分条例", "天津市妇女联合会", "政协桑植县委员会"}


def test_at_ten_thousand_notices_labels_are_legible(generated, tmp_path):
    """The page and the figure of 10 000 generated notices: the page small and drawn with
    no error; every label of the ranking, the matrix and the network, in the page and in
    the figure, at a readable size and clear of the others."""
    _, store = generated(10_000)
    page = tmp_path / "recurrence.html"
    page.write_text(recurrence.html(aggregate(store)), encoding="utf-8")
    assert page.stat().st_size <= 5_000_000
    top = aggregate(store).regulations[0].title
    for fragment in ("", "#select=" + quote(top)):
        dom, log = open_offline(page, tmp_path, fragment)
        assert 'id="kg-errors"' not in dom and not console_messages(log)
        drawn = layout_of(dom)
        assert len(drawn["table"]) == 30 and len(drawn["network"]) >= 5
        for view in ("table", "groups", "network"):
            boxes = drawn[view]
            assert all(b["font"] >= 12 for b in boxes), view
            assert not overlapping(boxes), view
            assert not any(b.get("truncated") for b in boxes), view
        assert top in {b["title"] for b in drawn["network"]}
        assert all(0 <= b["x"] and b["x"] + b["w"] <= 1400 for b in drawn["network"])
    figure = tmp_path / "recurrence.png"
    labels = recurrence.figure(aggregate(store), figure)
    assert figure.stat().st_size > 50_000  # the image, kept for a look
    assert [b["text"] for b in labels["regulations"]] == [r.title for r in aggregate(store).regulations]
    for boxes in labels.values():
        assert all(b["font"] >= 12 for b in boxes)  # 10 pt at 120 dpi: 16.7 px
        assert not overlapping(boxes)


def test_page_matrix_shows_values_under_clear_headers(data, tmp_path):
    """Each cell writes its organizations and gives its share on hover; the column headers
    (stacked characters, whose glyphs stay inside their boxes) end above the first row."""
    page = tmp_path / "recurrence.html"
    page.write_text(recurrence.html(data), encoding="utf-8")
    dom, _ = open_offline(page, tmp_path)
    drawn = layout_of(dom)
    cells = iter(drawn["cells"])
    for r in data.regulations:
        for n in (r.by_group.get(g, 0) for g in data.groups):
            cell = next(cells)
            assert cell["text"] == (str(n) if n else "") and not cell["truncated"]
            assert f"{n} 个单位，占 {round(100 * n / r.organizations)}%" in cell["title"]
    assert len(drawn["groups"]) == len(data.groups) >= 3
    first_row = min(c["y"] for c in drawn["first_row"])
    assert all(g["y"] + g["h"] <= first_row for g in drawn["groups"])
    assert 'class="stack"' in dom and "格内数字" in _visible_text(dom)


def _title_and_heading(dom: str) -> tuple[str, str]:
    title = re.search(r"<title>(.*?)</title>", dom, re.S).group(1)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", dom, re.S).group(1)
    return html_text.unescape(title), html_text.unescape(heading)


def test_page_title_says_the_filter(seed_store, tmp_path):
    local = aggregate(seed_store, province="湖南省", min_organizations=1)
    chosen = local.regulations[0].title
    page = tmp_path / "hunan.html"
    page.write_text(recurrence.html(local), encoding="utf-8")
    dom, _ = open_offline(page, tmp_path, "#select=" + quote(chosen))
    title, heading = _title_and_heading(dom)
    assert heading == "跨单位反复引用的法规 · 湖南省的单位 · 按省份"
    assert title == f"kg · 《{chosen}》 · {heading}"
    caption = dom.split('id="network-caption"', 1)[1].split("</div>", 1)[0]
    assert "（湖南省的单位）" in caption
    party = aggregate(seed_store, kind="party_regulation", by="level")
    page.write_text(recurrence.html(party, "en"), encoding="utf-8")
    title, heading = _title_and_heading(open_offline(page, tmp_path)[0])
    assert heading == "Regulations recurring across organizations · Party regulation · by level"
    assert title == f"kg · {heading}"


def _visible_text(dom: str) -> str:
    body = dom.split("<body", 1)[1]
    body = re.sub(r"<script.*?</script>|<pre id=\"kg-layout\".*?</pre>", "", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_the_page_speaks_one_language(data, tmp_path):
    """Chinese by default, English with --lang en: no mixing in what a user reads."""
    page = tmp_path / "recurrence.html"
    page.write_text(recurrence.html(data), encoding="utf-8")
    dom, _ = open_offline(page, tmp_path, "#select=" + quote("中国共产党纪律处分条例"))
    text = _visible_text(dom)
    assert "被至少" in text and "处引用" in text and "网络图" in text and "党内法规" in text
    prose = re.sub(r"\S*[/.]\S*", " ", text)  # file paths aside
    words = set(re.findall(r"[A-Za-z]{4,}", prose)) - {"English"}  # the toggle names the other language
    assert not words, words
    page.write_text(recurrence.html(data, "en"), encoding="utf-8")
    dom, _ = open_offline(page, tmp_path, "#select=" + quote("中国共产党纪律处分条例"))
    text = _visible_text(dom)
    assert "cited by at least" in text and "citations" in text and "Network" in text and "Party regulation" in text
    for chinese_ui in ("被至少", "个单位", "处引用", "网络图", "党内法规", "未定位"):
        assert chinese_ui not in text


def test_static_figure_renders_chinese_labels(data, tmp_path):
    from PIL import Image

    out = tmp_path / "recurrence.png"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a warning in matplotlib: fail on it
        recurrence.figure(data, out)
    image = Image.open(out).convert("L")
    assert image.width > 600 and image.height > 300
    dark = sum(image.histogram()[:128])
    assert dark > 5_000  # labels and cells are drawn, not a blank canvas
    svg = tmp_path / "recurrence.svg"
    recurrence.figure(data, svg)
    assert svg.read_text(encoding="utf-8").startswith("<?xml")


@pytest.fixture(scope="module")
def drawings(data, generated):
    """The figure of the seeds and of 1 000 generated notices (every kind, 20+ provinces)."""
    import matplotlib.pyplot as plt

    made = [recurrence.draw(data), recurrence.draw(aggregate(generated(1000)[1]))]
    for d in made:
        d.fig.canvas.draw()
    yield made
    for d in made:
        plt.close(d.fig)


def _extent(artist):
    return artist.get_window_extent(renderer=artist.figure.canvas.get_renderer())


def test_figure_matrix_has_a_colour_bar_and_every_cells_value(drawings):
    for d in drawings:
        assert "占该法规引用单位的比例" in d.colorbar.ax.get_ylabel()
        assert d.colorbar.vmin == 0 and d.colorbar.vmax > 0
        assert d.colorbar.formatter(0.25, 0).endswith("%")
        shown = {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in d.values if t.get_visible()}
        rows, columns = d.cells.shape
        for i, j in itertools.product(range(rows), range(columns)):
            if d.cells[i, j]:  # counts of 1 000 notices are at most 3 digits: all fit
                text = shown[i, j]
                assert text.get_text() == str(int(d.cells[i, j]))
                cell, box = recurrence.cell_box(d.matrix, i, j), _extent(text)
                assert cell.x0 <= box.x0 and box.x1 <= cell.x1 and cell.y0 <= box.y0 and box.y1 <= cell.y1
            else:
                assert (i, j) not in shown
        assert "格内数字" in d.matrix.get_xlabel()


def test_figure_legend_has_swatches_clear_of_bars_and_labels(drawings):
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Patch

    for d in drawings:
        legend = d.bars.get_legend()
        names = {name: colour for name, colour in recurrence.KINDS.values()}
        assert legend.legend_handles and all(isinstance(h, Patch) for h in legend.legend_handles)
        for handle, text in zip(legend.legend_handles, legend.get_texts()):
            assert handle.get_facecolor() == to_rgba(names[text.get_text()])
        box = _extent(legend)
        others = [*d.counts, *d.bars.patches, *d.bars.get_yticklabels(), *d.bars.get_xticklabels()]
        assert not [a for a in others if a.get_visible() and box.overlaps(_extent(a))]
    assert len(drawings[1].bars.get_legend().get_texts()) >= 4


def test_figure_counts_organizations_in_whole_ticks(drawings):
    for d in drawings:
        low, high = d.bars.get_xlim()
        ticks = [t for t in d.bars.get_xticks() if low <= t <= high]
        assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks)


def test_figure_column_headers_clear_of_the_first_row(drawings):
    for d in drawings:
        row = [recurrence.cell_box(d.matrix, 0, j) for j in range(d.cells.shape[1])]
        headers = [_extent(t) for t in d.matrix.get_xticklabels() if t.get_text()]
        assert len(headers) == d.cells.shape[1]
        first = min(b.y1 for b in row)  # pixels count up: headers lie above the first row
        assert all(h.y0 >= first and not any(h.overlaps(b) for b in row) for h in headers)


def test_figure_title_says_the_filter(generated):
    import matplotlib.pyplot as plt

    store = generated(1000)[1]
    d = recurrence.draw(aggregate(store, province="湖南省", kind="party_regulation"))
    assert "湖南省 · 党内法规" in d.fig._suptitle.get_text()
    plt.close(d.fig)


def test_report(seed_store):
    page = report_html(seed_store)
    for org in ("湘潭市妇女联合会", "浙江省妇女联合会", "政协桑植县委员会", "东营市总工会", "天津市妇女联合会"):
        assert f"<h2 id='{org}'>{org}</h2>" in page
    assert "<td>湘潭市委第三巡察组</td><td>2023-10-11</td><td>2023-12-01</td><td>2024-01-17</td><td>2024-08-20</td>" \
           "<td class=\"num\">47</td><td class=\"num\">216</td>" in page
    assert "<td>财经纪律执行不严格,报账程序不规范</td><td class=\"num\">2</td>" in page
    assert "中华人民共和国工会法" in page


def test_cli(seed_store, tmp_path):
    for name in ("recurrence.html", "recurrence.png", "recurrence.svg"):
        result = kg("viz", "recurrence", "--db", str(seed_store.path), "--out", str(tmp_path / name))
        assert result.returncode == 0, result.stderr.decode()
        assert (tmp_path / name).stat().st_size > 1000
    for name in ("top.html", "top.png"):  # the same options for every output
        result = kg("viz", "recurrence", "--db", str(seed_store.path), "--out", str(tmp_path / name), "--top", "2",
                    "--kind", "party_regulation", "--by", "level")
        assert result.returncode == 0 and "2 of 4 regulations cited by at least 2" in result.stderr.decode()
    result = kg("viz", "recurrence", "--db", str(seed_store.path), "--out", str(tmp_path / "hunan.png"),
                "--province", "湖南省")
    assert result.returncode == 1 and "no regulation is cited by 2 or more organizations of 湖南省" in result.stderr.decode()
    assert not (tmp_path / "hunan.png").exists()
    result = kg("viz", "recurrence", "--db", str(seed_store.path), "--out", str(tmp_path / "hunan.html"),
                "--province", "湖南省", "--min-organizations", "1")
    assert result.returncode == 0 and "2 organizations" in result.stderr.decode()
    assert kg("report", "--db", str(seed_store.path), "--out", str(tmp_path / "report.html")).returncode == 0


def test_an_extension_that_names_no_format_is_refused_and_nothing_written(seed_store, tmp_path):
    db = str(seed_store.path)
    refused = {
        ("viz", "themes", "--db", db): ("themes.png", "kg viz themes does not write .png files; choose .html or .htm"),
        ("viz", "recurrence", "--db", db): ("r.pdf", "kg viz recurrence does not write .pdf files; "
                                                     "choose .html, .htm, .png or .svg"),
        ("viz", "trends", "--db", db): ("trends", "kg viz trends does not write files without an extension; "
                                                  "choose .html, .htm, .png or .svg"),
        ("report", "--db", db): ("report.svg", "kg report does not write .svg files; choose .html or .htm"),
        ("export", db): ("x.xyz", "kg export does not write .xyz files; choose .graphml, .gexf, .jsonl, .cypher, "
                                  ".cql, .ttl, .nt, .jsonld, .trig, .db or .sqlite, or give --format"),
    }
    for args, (name, reason) in refused.items():
        out = tmp_path / "new" / name
        result = kg(*args, "--out", str(out))
        assert (result.returncode, result.stderr.decode().splitlines()) == (1, [f"kg: {out}: {reason}"])
        assert not (tmp_path / "new").exists()  # not even the folder


def test_a_font_installed_after_matplotlibs_cache_is_found():
    """matplotlib lists fonts once and caches the list; a CJK font installed later (as the
    error message advises) is still found on disk."""
    from matplotlib import font_manager

    from kg.viz.recurrence import CJK_FAMILIES, cjk_font

    cached = font_manager.fontManager.ttflist
    if not any(f.name in CJK_FAMILIES for f in cached):
        pytest.skip("no CJK font on this machine (Debian: apt-get install fonts-wqy-microhei)")
    font_manager.fontManager.ttflist = [f for f in cached if f.name not in CJK_FAMILIES]  # the stale cache
    try:
        font = cjk_font()
        assert font_manager.get_font(font.get_file()).family_name in CJK_FAMILIES
    finally:
        font_manager.fontManager.ttflist = cached


def test_figure_after_pip_install_alone_draws_chinese_glyphs(data, tmp_path, monkeypatch):
    """With no Chinese font on the machine, the font installed with kg sets the labels:
    every label character has a glyph in it (a Latin-only font has none), and the figure
    differs from the one a Latin-only font draws (boxes)."""
    from matplotlib import font_manager
    from PIL import Image, ImageChops

    monkeypatch.delenv("KG_CJK_FONT", raising=False)
    monkeypatch.setattr(font_manager.fontManager, "ttflist",
                        [f for f in font_manager.fontManager.ttflist if f.name not in recurrence.CJK_FAMILIES])
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    font = recurrence.cjk_font()
    assert font.get_file() == recurrence.bundled_font()
    labels = "".join(r.title for r in data.regulations) + "跨单位反复引用的法规"
    packaged = font_manager.get_font(font.get_file())
    latin = font_manager.get_font(font_manager.findfont("DejaVu Sans"))
    assert all(packaged.get_char_index(ord(c)) for c in labels)
    assert not any(latin.get_char_index(ord(c)) for c in "法规条例")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a warning in matplotlib
        recurrence.figure(data, tmp_path / "cjk.png")
    monkeypatch.setenv("KG_CJK_FONT", font_manager.findfont("DejaVu Sans"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        recurrence.figure(data, tmp_path / "latin.png")
    a = Image.open(tmp_path / "cjk.png").convert("L")
    b = Image.open(tmp_path / "latin.png").convert("L").resize(a.size)
    assert ImageChops.difference(a, b).getbbox() is not None

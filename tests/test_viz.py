"""Pictures: the interactive page in a real headless Chromium with no network, the static
figure's Chinese labels, and the report."""
from __future__ import annotations

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
from kg.viz.data import recurrence as load
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
    args = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}", "--proxy-server=127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0", "--window-size=1400,900"]
    url = page.resolve().as_uri() + fragment
    dom = subprocess.run([*args, "--dump-dom", url], capture_output=True, timeout=120)
    subprocess.run([*args, f"--screenshot={shot}", url], capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 10_000  # the screenshot, kept for a look
    return dom.stdout.decode(), dom.stderr.decode(errors="replace")


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


@pytest.fixture(scope="module")
def data(seed_store):
    return load(seed_store)


def test_recurrence_data(data):
    assert {r.title for r in data.recurring(2)} == RECURRING
    (first,) = [c for c in data.regulations["中国共产党纪律处分条例"].citations if c.raw == "《中国共产党纪律处分条例》"]
    assert first.sentence == "整改情况:一是认真学习《中国共产党廉洁自律准则》《中国共产党纪律处分条例》等党纪党规,并严格执行。"


def test_interactive_page_offline_in_chromium(data, tmp_path):
    page = tmp_path / "recurrence.html"
    page.write_text(recurrence.html(data), encoding="utf-8")
    text = page.read_text(encoding="utf-8")
    assert "http://" not in text.split("<script")[0] and "src=" not in text  # nothing to fetch
    dom, log = open_offline(page, tmp_path)
    parser = Elements()
    parser.feed(dom)
    drawn = {a.get("data-title") for tag, a in parser.found if tag == "circle" and a.get("class") == "reg"}
    assert drawn == RECURRING
    assert sum(1 for tag, a in parser.found if tag == "rect" and a.get("class") == "org") == 4
    assert 'id="kg-errors"' not in dom
    assert "Uncaught" not in log and "CONSOLE" not in log


def test_selecting_a_regulation_lists_citing_sentences(data, tmp_path):
    page = tmp_path / "recurrence.html"
    page.write_text(recurrence.html(data), encoding="utf-8")
    dom, _ = open_offline(page, tmp_path, "#select=" + quote("中国共产党纪律处分条例"))
    panel = dom.split('id="panel"', 1)[1].split("</ul>", 1)[0]
    assert "<h2>中国共产党纪律处分条例</h2>" in panel
    assert "以深入學習貫徹新修訂的<mark>《中國共產黨紀律處分條例》</mark>" in panel
    assert panel.count("<li>") == 5


def _visible_text(dom: str) -> str:
    body = dom.split("<body", 1)[1]
    body = re.sub(r"<script.*?</script>", "", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_the_page_speaks_one_language(data, tmp_path):
    """Chinese by default, English with --lang en: no mixing in what a user reads."""
    page = tmp_path / "recurrence.html"
    page.write_text(recurrence.html(data), encoding="utf-8")
    dom, _ = open_offline(page, tmp_path, "#select=" + quote("中国共产党纪律处分条例"))
    text = _visible_text(dom)
    assert "至少被" in text and "处引用" in text and "学习" in text
    prose = re.sub(r"\S*[/.]\S*", " ", text)  # file paths aside
    words = set(re.findall(r"[A-Za-z]{4,}", prose)) - {"English"}  # the toggle names the other language
    assert not words, words
    page.write_text(recurrence.html(data, "en"), encoding="utf-8")
    dom, _ = open_offline(page, tmp_path, "#select=" + quote("中国共产党纪律处分条例"))
    text = _visible_text(dom)
    assert "cited by at least" in text and "citations" in text and "studied" in text
    for chinese_ui in ("至少被", "个单位", "处引用", "类别", "党内法规"):
        assert chinese_ui not in text


def test_static_figure_renders_chinese_labels(data, tmp_path):
    from PIL import Image

    out = tmp_path / "recurrence.png"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a warning in matplotlib: fail on it
        recurrence.figure(data, out)
    image = Image.open(out).convert("L")
    assert image.width > 600 and image.height > 300
    dark = sum(1 for p in image.getdata() if p < 128)
    assert dark > 5_000  # labels and cells are drawn, not a blank canvas
    svg = tmp_path / "recurrence.svg"
    recurrence.figure(data, svg)
    assert svg.read_text(encoding="utf-8").startswith("<?xml")


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
    result = kg("viz", "recurrence", "--db", str(seed_store.path), "--out", str(tmp_path / "x.pdf"))
    assert result.returncode == 1 and "choose .html, .png or .svg" in result.stderr.decode()
    assert kg("report", "--db", str(seed_store.path), "--out", str(tmp_path / "report.html")).returncode == 0


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


def test_static_figure_is_capped_and_says_so(data, tmp_path, monkeypatch):
    """A figure never grows with the corpus: past the caps the top rows and columns are
    drawn and the note says what was left out."""
    assert recurrence.figure(data, tmp_path / "all.png") is None  # the seeds fit
    monkeypatch.setattr(recurrence, "MAX_REGULATIONS", 2)
    monkeypatch.setattr(recurrence, "MAX_ORGANIZATIONS", 2)
    note = recurrence.figure(data, tmp_path / "capped.png")
    recurring = len(data.recurring(2))
    assert note.startswith(f"drew the 2 of {recurring} regulations cited by most organizations and the 2 of ")
    from PIL import Image

    assert Image.open(tmp_path / "capped.png").width < Image.open(tmp_path / "all.png").width


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
    labels = "".join(r.title for r in data.recurring(2)) + "跨单位反复引用的法规"
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

"""Inputs made from the seed notices: other encodings, a web page around a notice."""
from __future__ import annotations

import html


def encodable(text: str, encoding: str) -> str:
    """The lines of `text` that `encoding` can represent exactly."""
    keep = []
    for line in text.splitlines():
        try:
            line.encode(encoding)
        except UnicodeEncodeError:
            continue
        keep.append(line)
    return "\n".join(keep)


def as_web_page(text: str, title: str) -> str:
    """A notice as a discipline-inspection site serves it: navigation, scripts, footer."""
    paragraphs = "\n".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines())
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<script>var menu = ["首页", "工作动态", "纪律审查"]; document.title = menu.join("|");</script>
<style>.nav {{ color: #c00 }}</style></head>
<body><div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/gzdt">工作动态</a></li>
<li><a href="/jlsc">纪律审查</a></li><li><a href="/xsxc">巡视巡察</a></li></ul></div>
<div class="breadcrumb">当前位置:首页 &gt; 巡视巡察 &gt; 整改通报</div>
<div class="article"><h1>{html.escape(title)}</h1>{paragraphs}</div>
<div class="footer">版权所有:纪委监委 备案号:ICP备00000000号 技术支持:网站中心</div></body></html>"""


def insert_after_line(text: str, marker: str, addition: str) -> str:
    """`text` with the line `addition` after the first line containing `marker`."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if marker in line)
    return "\n".join(lines[: at + 1] + [addition] + lines[at + 1 :])


def without_signature(text: str) -> str:
    """The notice without its last two lines (signature and date)."""
    return "\n".join(text.splitlines()[:-2])


def line_with(text: str, marker: str) -> str:
    return next(line for line in text.splitlines() if marker in line)


def corpus_copies(seed_paths, folder, copies: int) -> list:
    """`copies` notices per seed, each placed in another division and dated `i` days
    earlier (another organization, another visit: different notices, not copies of one,
    kg.copies) and with a distinct closing line."""
    from tests.conftest import bench_module

    make_corpus = bench_module("make_corpus")
    PLACES, divisions_by_level = make_corpus.PLACES, make_corpus.divisions_by_level
    level_suffix, shift_dates = make_corpus.level_suffix, make_corpus.shift_dates

    levels = divisions_by_level()
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for path in seed_paths:
        text = path.read_text(encoding="utf-8")
        for i in range(copies):
            variant = shift_dates(text, -i)  # only 23 provinces: the dates tell the visits apart too
            for short, level in PLACES.items():
                if short in variant:
                    level = "city" if short == "天津" else level  # 天津市 placed as another 市: kg reads it
                    target = levels[level][(37 * i + 11) % len(levels[level])]
                    variant = variant.replace(short + level_suffix(level), target).replace(short, target[:-1])
            target = folder / f"{path.stem}-{i:04d}.txt"
            target.write_text(f"{variant}\n本文链接:copy-{i}\n", encoding="utf-8")
            out.append(target)
    return out

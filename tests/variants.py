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

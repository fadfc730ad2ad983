"""The forms in which a notice is republished, made from its text: what kg.copies must
tell as copies (bench/copies.py measures it; tests/test_copies.py builds them).

Each form returns (file name suffix, bytes).
"""
from __future__ import annotations

import html


def _s2t(text: str) -> str:
    import opencc

    return opencc.OpenCC("s2t").convert(text)


def _lines(text: str) -> list[str]:
    return text.splitlines()


def html_page(text: str) -> tuple[str, bytes]:
    """Another site's page: navigation, breadcrumbs and a footer around the text."""
    body = "".join(f"<p>{html.escape(line)}</p>" for line in _lines(text) if line.strip())
    page = ("<html><head><meta charset='utf-8'><title>工作动态</title></head><body>"
            "<div class='nav'><a href='/'>首页</a> | <a href='/a'>机构概况</a> | <a href='/b'>巡视巡察</a> | "
            "<a href='/c'>审查调查</a> | <a href='/d'>党纪法规</a></div>"
            "<div class='crumb'>当前位置: <a href='/'>首页</a> &gt; <a href='/b'>巡视巡察</a> &gt; 正文</div>"
            f"<div class='article'>{body}</div>"
            "<div class='footer'>主办单位: 中共某某市纪律检查委员会 某某市监察委员会 版权所有 备案号: 某ICP备12345678号 "
            "地址: 某某市人民路1号 邮编: 100000</div></body></html>")
    return ".html", page.encode("utf-8")


def gbk(text: str) -> tuple[str, bytes]:
    return ".txt", text.encode("gb18030")


def traditional(text: str) -> tuple[str, bytes]:
    return ".txt", _s2t(text).encode("utf-8")


def other_furniture(text: str) -> tuple[str, bytes]:
    """Other header and footer lines, full-width punctuation, other whitespace."""
    head = "首页 > 纪律审查 > 通报曝光\n来源：市纪委监委网站　　作者：市纪委监委\n【字体：大 中 小】 打印本页\n"
    foot = "\n\n责任编辑：王某\n本文链接：https://example.org/a/1.html\n"
    body = text.replace(",", "，").replace(":", "：").replace("  ", " ")
    return ".txt", (head + body + foot).encode("utf-8")


def missing_paragraph(text: str) -> tuple[str, bytes]:
    """One paragraph of the body left out (the longest after the opening, as a site that
    cut a block would)."""
    lines = _lines(text)
    candidates = [i for i, line in enumerate(lines) if i > len(lines) // 4 and len(line) > 20]
    if candidates:
        drop = max(candidates, key=lambda i: len(lines[i]) if len(lines[i]) < len(text) / 12 else 0)
        lines = lines[:drop] + lines[drop + 1:]
    return ".txt", "\n".join(lines).encode("utf-8")


def editor_line(text: str) -> tuple[str, bytes]:
    """A title line of the reposting site's own above the text, an editor's line below."""
    return ".txt", ("【转载】巡察整改情况通报\n" + text + "\n(编辑：李某 审核：张某)\n").encode("utf-8")


FORMS = {"html": html_page, "gbk": gbk, "traditional": traditional, "furniture": other_furniture,
         "missing_paragraph": missing_paragraph, "editor": editor_line}


def write_copies(text: str, stem: str, folder, forms=FORMS) -> list:
    """Every form of `text` written into `folder` as STEM.copy-FORM.*; their paths."""
    out = []
    for name, form in forms.items():
        suffix, data = form(text)
        path = folder / f"{stem}.copy-{name}{suffix}"
        path.write_bytes(data)
        out.append(path)
    return out

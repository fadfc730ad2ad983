"""Which regulations recur across organizations: an interactive page and a static figure.

The page is one self-contained HTML file (its script is inline, no CDN), so it opens in
an office without internet. The figure is an organizations × regulations matrix drawn
with matplotlib and a CJK font (a system one, or Noto Sans SC installed with kg).
"""
from __future__ import annotations

import json
import os
from collections import Counter
from importlib import resources
from pathlib import Path

from kg.errors import KgError
from kg.viz.data import Recurrence

CJK_FAMILIES = ["Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
                "Droid Sans Fallback", "AR PL UMing CN", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC"]
ACTION_SHADES = {"issued": 4, "revised": 3, "enforced": 2, "studied": 1, None: 1}
# A figure for a page: beyond these a matrix is unreadable, and its memory grows with the
# product (809 organizations × 133 regulations took 19 GB). The top ones are drawn.
MAX_REGULATIONS = 40
MAX_ORGANIZATIONS = 60


def html(data: Recurrence, lang: str = "zh") -> str:
    """The interactive page: regulations cited by at least one organization, by default
    those cited by two or more; in Chinese, or English (`lang` "en"), with a toggle."""
    regs = sorted(data.regulations.values(), key=lambda r: (-len(r.organizations), r.title))
    payload = {
        "default_min": 2 if data.recurring(2) else 1,
        "lang": lang,
        "organizations": [{"id": k, **v} for k, v in sorted(data.organizations.items())],
        "regulations": [{"id": r.key, "title": r.title, "kind": r.kind, "organizations": sorted(r.organizations),
                         "citations": [c.__dict__ for c in r.citations]} for r in regs],
    }
    # </script> inside the data must not end the script element.
    text = json.dumps(payload, ensure_ascii=False).replace("</", "<\\/")
    template = resources.files("kg.viz").joinpath("recurrence.html").read_text(encoding="utf-8")
    return template.replace("/*DATA*/", text)


def cjk_font():
    """A font file with Chinese glyphs: KG_CJK_FONT, else a system font of the usual
    families, else Noto Sans SC as installed with kg (pylopdf-fonts-zh-cn, SIL OFL 1.1)."""
    from matplotlib import font_manager

    if os.environ.get("KG_CJK_FONT"):
        return font_manager.FontProperties(fname=os.environ["KG_CJK_FONT"])
    available = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in available:
            return font_manager.FontProperties(fname=available[family])
    # matplotlib caches the font list once: a font installed since then is only on disk.
    for path in sorted(font_manager.findSystemFonts()):
        try:
            name = font_manager.get_font(path).family_name
        except (OSError, RuntimeError):
            continue
        if name in CJK_FAMILIES:
            font_manager.fontManager.addfont(path)
            return font_manager.FontProperties(fname=path)
    packaged = bundled_font()
    if packaged is not None:
        return font_manager.FontProperties(fname=packaged)
    raise KgError("no Chinese font found for the figure: install one (Debian: apt-get install fonts-wqy-microhei "
                  "or fonts-noto-cjk) or set KG_CJK_FONT to a .ttf/.ttc/.otf file")


def bundled_font() -> str | None:
    """Noto Sans SC from the pylopdf-fonts-zh-cn package (a kg dependency), if installed."""
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return None
    path = pylopdf_fonts_zh_cn.sans_path()
    return str(path) if path.is_file() else None


def figure(data: Recurrence, out: Path, min_organizations: int = 2) -> str | None:
    """Organizations × recurring regulations; a cell's shade says what was done. Draws at
    most MAX_REGULATIONS × MAX_ORGANIZATIONS (those cited by, and citing, the most) and
    returns a note saying what was left out, if anything."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch
    font = cjk_font()
    all_regs = data.recurring(min_organizations) or data.recurring(1)[:20]
    if not all_regs:
        raise KgError("no regulations to draw: the store has no citations")
    regs = sorted(all_regs, key=lambda r: (-len(r.organizations), r.title))[:MAX_REGULATIONS]
    citing = Counter(o for r in regs for o in r.organizations)
    all_orgs = len(citing)
    orgs = sorted((o for o, _ in sorted(citing.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_ORGANIZATIONS]),
                  key=lambda k: data.organizations[k]["name"])
    column = {data.organizations[o]["name"]: j for j, o in enumerate(orgs)}
    grid = [[0] * len(orgs) for _ in regs]
    for i, r in enumerate(regs):
        for c in r.citations:
            j = column.get(c.organization)
            if j is not None:
                grid[i][j] = max(grid[i][j], ACTION_SHADES.get(c.action, 1))
    fig, ax = plt.subplots(figsize=(2 + 0.9 * len(orgs), 1.5 + 0.45 * len(regs)), dpi=150)
    cmap = ListedColormap(["#ffffff", "#c6dbef", "#6baed6", "#3182bd", "#08519c"])
    ax.imshow(grid, cmap=cmap, vmin=0, vmax=4, aspect="auto")
    ax.set_xticks(range(len(orgs)), [data.organizations[o]["name"] for o in orgs], fontproperties=font,
                  rotation=40, ha="right")
    ax.set_yticks(range(len(regs)), [f"{r.title}（{len(r.organizations)}）" for r in regs], fontproperties=font)
    ax.set_xticks([x - 0.5 for x in range(1, len(orgs))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(regs))], minor=True)
    ax.grid(which="minor", color="#dddddd")
    ax.tick_params(which="minor", length=0)
    ax.set_title("跨单位反复引用的法规", fontproperties=font)
    legend = [Patch(facecolor=cmap(shade / 4), edgecolor="#999999", label=label)
              for shade, label in ((1, "学习"), (2, "执行/落实"), (3, "修订"), (4, "制定/出台"))]
    ax.legend(handles=legend, prop=font, loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False)
    fig.savefig(out, bbox_inches="tight")
    plt.close(fig)
    if len(all_regs) > len(regs) or all_orgs > len(orgs):
        return (f"drew the {len(regs)} of {len(all_regs)} regulations cited by most organizations and the {len(orgs)} "
                f"of {all_orgs} organizations citing them most; raise --min-organizations or use the .html page "
                "for the rest")
    return None

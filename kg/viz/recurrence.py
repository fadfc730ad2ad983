"""Which regulations recur across organizations: a page and a figure, both drawn from one
kg.viz.aggregate.Aggregate (the top regulations, counted per province or level).

The page is one self-contained HTML file (its scripts, sigma.js and graphology included,
are inline, nothing is fetched), so it opens in an office without internet. The figure
is drawn with matplotlib and a CJK font (a system one, or Noto Sans SC installed with kg).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources

from kg.errors import KgError
from kg.viz.aggregate import NO_GROUP, Aggregate
from kg.viz.page import script_json

CJK_FAMILIES = ["Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
                "Droid Sans Fallback", "AR PL UMing CN", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC"]
KINDS = {"law": ("法律", "#1b9e77"), "party_regulation": ("党内法规", "#d95f02"),
         "regulation": ("行政/地方法规", "#7570b3"), "normative_document": ("规范性文件", "#e7298a"),
         "internal_rule": ("内部制度", "#66a61e")}
LEVELS = {"province": "省级", "city": "市级", "county": "县级", NO_GROUP: NO_GROUP}
MAX_GROUPS = 20  # the matrix's named columns; the others are summed in one
VENDOR = ("graphology.umd.min.js", "sigma.min.js")


def html(data: Aggregate, lang: str = "zh") -> str:
    """The page: bars, the regulations × groups matrix and a network of a selection; in
    Chinese, or English (`lang` "en"), with a toggle."""
    payload = {
        "lang": lang,
        "colors": {kind: colour for kind, (_, colour) in KINDS.items()},  # the figure's, so both agree
        "options": data.options,
        "recurring": data.recurring,
        "groups": data.groups,
        "organizations": data.organizations,
        "regulations": [{"id": r.key, "title": r.title, "kind": r.kind, "organizations": r.organizations,
                         "groups": [r.by_group.get(g, 0) for g in data.groups], "citing": r.citing,
                         "citations": [c.__dict__ for c in r.citations]} for r in data.regulations],
    }
    text = script_json(payload)
    folder = resources.files("kg.viz")
    scripts = "\n".join(f"<script>{folder.joinpath('vendor', name).read_text(encoding='utf-8')}</script>"
                        for name in VENDOR)
    template = folder.joinpath("recurrence.html").read_text(encoding="utf-8")
    return template.replace("<!--VENDOR-->", scripts).replace("/*DATA*/", text)


def group_label(data: Aggregate, group: str) -> str:
    return LEVELS.get(group, group) if data.by == "level" else group


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


def filters(data: Aggregate) -> str:
    """What the selection was narrowed to (province, kind), for a title; "" when nothing."""
    said = [data.options.get("province") or "", KINDS.get(data.options.get("kind") or "", ("",))[0]]
    return " · ".join(s for s in said if s)


@dataclass
class Drawing:
    """The figure and the artists a test inspects."""
    fig: object
    bars: object  # the ranking's axes
    matrix: object  # the matrix's axes
    colorbar: object
    counts: list  # the number beside each bar
    values: list  # the number in each cell that has one (hidden where it does not fit)
    cells: object  # organizations per regulation (row) and column, as drawn


def figure(data: Aggregate, out) -> dict[str, list[dict]]:
    """The figure drawn (draw()) and saved to `out`; where its labels lie, in pixels."""
    import matplotlib.pyplot as plt

    d = draw(data)
    d.fig.savefig(out, bbox_inches="tight")
    d.fig.canvas.draw()
    labels = {"regulations": _boxes(d.fig, d.bars.get_yticklabels()), "groups": _boxes(d.fig, d.matrix.get_xticklabels())}
    plt.close(d.fig)
    return labels


def draw(data: Aggregate) -> Drawing:
    """Left: the top regulations by organizations citing them, coloured by kind. Right: the
    same regulations × groups (provinces or levels), a cell's shade the share of the
    regulation's organizations in that group (its colour bar says which), its number the
    organizations; the groups beyond MAX_GROUPS summed, and the organizations not placed
    in a region, last, in grey."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    regs = data.regulations
    if not regs:
        raise KgError("no regulations to draw: none is cited by enough organizations (lower --min-organizations)")
    font = cjk_font()
    named = [g for g in data.groups if g != NO_GROUP]
    columns = named[:MAX_GROUPS] + (["其他"] if len(named) > MAX_GROUPS else [])
    counts = np.array([[r.by_group.get(g, 0) for g in named[:MAX_GROUPS]]
                       + ([sum(r.by_group.get(g, 0) for g in named[MAX_GROUPS:])] if len(named) > MAX_GROUPS else [])
                       + [r.by_group.get(NO_GROUP, 0)] for r in regs], dtype=float)
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    apart = np.zeros_like(shares, dtype=bool)  # the summed and the unplaced columns: grey, their own scale
    apart[:, len(named[:MAX_GROUPS]):] = True
    width = 0.34 * (len(columns) + 1)
    # Constrained layout makes room for what sits outside the axes: the legend, the
    # column headers above the matrix, its colour bar.
    fig, (bars, matrix) = plt.subplots(1, 2, figsize=(8 + width, 2.6 + 0.32 * len(regs)), dpi=120, sharey=True,
                                       layout="constrained", gridspec_kw={"width_ratios": [7, width]})
    y = np.arange(len(regs))
    bars.barh(y, [r.organizations for r in regs], color=[KINDS.get(r.kind, ("", "#999999"))[1] for r in regs])
    bars.set_yticks(y, [r.title for r in regs], fontproperties=font)
    bars.invert_yaxis()
    bars.set_xlabel("引用单位数", fontproperties=font)
    bars.xaxis.set_major_locator(MaxNLocator(integer=True))  # organizations come whole
    counted = [bars.text(r.organizations, i, f" {r.organizations}", va="center", fontsize=8) for i, r in enumerate(regs)]
    bars.set_xlim(0, regs[0].organizations * 1.12)  # room for the largest count
    kinds = [k for k in KINDS if any(r.kind == k for r in regs)]
    # Above the bars, outside the axes: a legend inside would cover a bar or its count.
    bars.legend(handles=[Patch(facecolor=KINDS[k][1], edgecolor="none", label=KINDS[k][0]) for k in kinds],
                prop=font, loc="lower left", bbox_to_anchor=(0, 1.01), ncol=len(kinds), frameon=False,
                borderaxespad=0, handlelength=1.2, columnspacing=1.2)
    placed = np.ma.masked_array(shares, mask=apart)
    top = max(placed.max(), 0.01)
    image = matrix.imshow(placed, cmap="Blues", vmin=0, vmax=top, aspect="auto")
    matrix.imshow(np.ma.masked_array(shares, mask=~apart), cmap="Greys", vmin=0, vmax=2, aspect="auto")
    cells = _write_cells(fig, matrix, counts, shares / np.where(apart, 2, top))
    labels = [group_label(data, g) for g in columns] + ["未定位"]
    # Headers above the first row (read first, as in a table), clear of it.
    matrix.xaxis.tick_top()
    matrix.set_xticks(range(len(labels)), labels, fontproperties=font, rotation=90)
    matrix.tick_params(axis="x", length=0, pad=3)
    matrix.tick_params(axis="y", length=0)
    group = "层级" if data.by == "level" else "省份"
    bar = fig.colorbar(image, ax=matrix, fraction=0.08, pad=0.04, shrink=0.9, format=PercentFormatter(xmax=1, decimals=0))
    bar.set_label(f"占该法规引用单位的比例(各{group};其他、未定位为灰色)", fontproperties=font, fontsize=8)
    matrix.set_xlabel(f"格内数字:该{group}引用该法规的单位数", fontproperties=font, fontsize=8)
    narrowed = filters(data)
    fig.suptitle(f"跨单位反复引用的法规（{narrowed + '，' if narrowed else ''}前 {len(regs)} 部，共 {data.recurring} 部被至少 "
                 f"{data.options['min_organizations']} 个单位引用）", fontproperties=font)
    fig.canvas.draw()  # the layout is final: cells have their size
    _fit(fig, matrix, cells)
    return Drawing(fig, bars, matrix, bar, counted, cells, counts)


def _write_cells(fig, matrix, counts, shade) -> list:
    """Each cell's organizations, written in it (white on dark cells)."""
    texts = []
    for i, row in enumerate(counts):
        for j, n in enumerate(row):
            if n:
                texts.append(matrix.text(j, i, f"{int(n)}", ha="center", va="center", fontsize=8,
                                         color="white" if shade[i, j] > 0.55 else "#222"))
    return texts


def _fit(fig, matrix, texts) -> None:
    """Hide the numbers wider or taller than their cell (the shade stays)."""
    renderer = fig.canvas.get_renderer()
    for t in texts:
        j, i = t.get_position()
        cell, box = cell_box(matrix, round(i), round(j)), t.get_window_extent(renderer=renderer)
        t.set_visible(box.width <= cell.width - 2 and box.height <= cell.height - 2)


def cell_box(matrix, i: int, j: int):
    """Cell (row i, column j) of the matrix, a Bbox in pixels of the figure."""
    from matplotlib.transforms import Bbox

    (x0, y0), (x1, y1) = matrix.transData.transform([(j - 0.5, i - 0.5), (j + 0.5, i + 0.5)])
    return Bbox.from_extents(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _boxes(fig, texts) -> list[dict]:
    """Where labels were drawn (pixels of the figure) and their size in pixels: what a
    test reads to check they are legible."""
    found = []
    for t in texts:
        if t.get_text():
            box = t.get_window_extent(renderer=fig.canvas.get_renderer())
            found.append({"text": t.get_text(), "x": box.x0, "y": box.y0, "w": box.width, "h": box.height,
                          "font": t.get_fontsize() * fig.dpi / 72})
    return found

"""Pictures of trends: small multiples per period (notices, median lags, top themes) and a
themes × organizations page. Pages are self-contained (inline SVG, no script, nothing
fetched); figures use the same CJK font as the recurrence figure."""
from __future__ import annotations

from html import escape
from pathlib import Path

from kg.viz.recurrence import cjk_font

STYLE = """body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "PingFang SC",
"Microsoft YaHei", sans-serif; margin: 24px; color: #222; } h1 { font-size: 20px; } h2 { font-size: 15px; margin: 0 0 6px; }
.panels { display: flex; gap: 24px; flex-wrap: wrap; } .panel { border: 1px solid #ddd; padding: 12px; }
table { border-collapse: collapse; font-size: 13px; margin-top: 20px; } td, th { border: 1px solid #ddd; padding: 4px 8px; }
th { background: #f4f4f4; } .legend span { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; }"""
FEEDBACK, REPORT, NOTICES = "#3182bd", "#e6550d", "#6baed6"


def _median(q: dict | None) -> float | None:
    return None if q is None else q["median"]


def _bars(values: list[tuple[str, float | None]], colour: str, width: int = 360, height: int = 180) -> str:
    """One bar per period, labelled; a missing value draws no bar."""
    top = max([v for _, v in values if v is not None] or [1]) or 1
    step = (width - 40) / max(len(values), 1)
    parts = [f'<svg width="{width}" height="{height + 40}" role="img">']
    for i, (label, v) in enumerate(values):
        x = 30 + i * step
        if v is not None:
            h = (height - 16) * v / top  # headroom for the value above the tallest bar
            parts.append(f'<rect x="{x:.1f}" y="{height - h + 10:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" '
                         f'fill="{colour}"><title>{escape(label)}: {v:g}</title></rect>')
            parts.append(f'<text x="{x + step * 0.35:.1f}" y="{height - h + 6:.1f}" font-size="11" '
                         f'text-anchor="middle">{v:g}</text>')
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{height + 26}" font-size="12" '
                     f'text-anchor="middle">{escape(label)}</text>')
    return "".join(parts) + "</svg>"


def trends_html(rows: list[dict], by: str) -> str:
    periods = [r["period"] for r in rows]
    notices = _bars(list(zip(periods, [r["notices"] for r in rows])), NOTICES)
    feedback = _bars(list(zip(periods, [_median(r["days_end_to_feedback"]) for r in rows])), FEEDBACK)
    report = _bars(list(zip(periods, [_median(r["days_feedback_to_publication"]) for r in rows])), REPORT)
    themes = "".join(f"<li><b>{escape(r['period'])}</b>: " + "、".join(
        f"{escape(t['theme'])}({t['organizations']})" for t in r["top_themes"][:3]) + "</li>" for r in rows)
    table = "".join(
        f"<tr><td>{escape(r['period'])}</td><td>{r['notices']}</td><td>{r['inspections']}</td><td>{r['organizations']}</td>"
        f"<td>{_median(r['days_end_to_feedback']) if r['days_end_to_feedback'] else ''}</td>"
        f"<td>{_median(r['days_feedback_to_publication']) if r['days_feedback_to_publication'] else ''}</td>"
        f"<td>{escape('；'.join(x['title'] for x in r['top_regulations'][:3]))}</td>"
        f"<td>{escape('、'.join(x['theme'] for x in r['top_themes']))}</td></tr>" for r in rows)
    label = LABEL[by]
    return f"""<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8"><title>巡视巡察整改通报趋势</title>
<style>{STYLE}</style></head><body><h1>巡视巡察整改通报趋势(按{label})</h1>
<p class="legend"><span style="background:{NOTICES}"></span>通报数<span style="background:{FEEDBACK}"></span>巡视结束至反馈(天,中位数)
<span style="background:{REPORT}"></span>反馈至公开通报(天,中位数)</p>
<div class="panels"><div class="panel"><h2>通报数</h2>{notices}</div>
<div class="panel"><h2>巡视结束至反馈,天(中位数)</h2>{feedback}</div>
<div class="panel"><h2>反馈至公开通报,天(中位数)</h2>{report}</div>
<div class="panel"><h2>主要问题主题(提出的单位数)</h2><ul>{themes}</ul></div></div>
<table><tr><th>{label}</th><th>通报</th><th>巡视巡察</th><th>单位</th><th>至反馈(天)</th><th>至公开(天)</th>
<th>引用最多的法规</th><th>问题主题</th></tr>{table}</table>
<p>通报按其巡视巡察开始日期归期,没有时按发布日期。</p></body></html>"""


LABEL = {"year": "年份", "quarter": "季度", "province": "省份", "level": "层级", "kind": "类别"}
MAX_GROUPS = 15  # a figure's places or kinds (kg.trends.trends(top=…)): the others make one bar
DPI = 150
MAX_WIDTH = 16  # inches: 2 400 px, whatever the number of periods
MAX_HEIGHT = 16  # inches too, whatever the periods' themes
THEME_LINES = 12  # of the themes' footnote at most; the rest is cut with an ellipsis (the page's table has it all)
LINE = 0.15  # inches a line of the footnote takes (8 pt text and its leading)
ACROSS = 8  # up to this many bars, the three panels side by side; more, one above the other


def trends_figure(rows: list[dict], out: Path, by: str = "year", merged: list[str] = ()) -> None:
    import matplotlib.pyplot as plt

    fig = draw_trends(rows, by, merged)
    fig.savefig(out)
    plt.close(fig)


def draw_trends(rows: list[dict], by: str = "year", merged: list[str] = ()):
    """Notices and the median lags per period, one bar a period. The figure's width is
    capped: with many periods the panels stack and each takes the whole width, the labels
    turn upright and are thinned until none overlaps, a value is written only where its
    bar is wide enough. The height is capped too: the footnote of the periods' themes is
    cut after THEME_LINES lines, with an ellipsis. Merged groups (OTHER) are said in the title."""
    import textwrap

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    font = cjk_font()
    periods = [r["period"] for r in rows]
    across = len(rows) <= ACROSS
    panel = min(max(2.5 + 0.45 * len(rows), 3.2), MAX_WIDTH / (3 if across else 1))
    width = panel * (3 if across else 1)
    themes = "  ".join(f"{r['period']}: " + "、".join(t["theme"] for t in r["top_themes"][:3]) for r in rows)
    # 8 pt characters at most 1 em wide: this many fit across the figure.
    lines = textwrap.wrap("主要问题主题 — " + themes, int(width * 72 / 8 * 0.95)) if themes else []
    base = 4 if across else 8.4
    # However many periods and however long their themes, the footnote never makes the figure
    # taller than MAX_HEIGHT: it is cut, its last line ending with an ellipsis.
    room = min(THEME_LINES, int((MAX_HEIGHT - base) / LINE))
    if len(lines) > room:
        lines = lines[:room]
        lines[-1] = lines[-1][:-1] + "…"
    height = base + LINE * len(lines)
    fig, axes = plt.subplots(1 if across else 3, 3 if across else 1, figsize=(width, height), dpi=DPI, layout="constrained")
    series = [([r["notices"] for r in rows], NOTICES, "通报数"),
              ([_median(r["days_end_to_feedback"]) for r in rows], FEEDBACK, "巡视结束至反馈(天,中位数)"),
              ([_median(r["days_feedback_to_publication"]) for r in rows], REPORT, "反馈至公开通报(天,中位数)")]
    values_drawn = []
    for ax, (values, colour, title) in zip(axes, series):
        drawn = [v or 0 for v in values]
        ax.bar(range(len(periods)), drawn, color=colour, width=0.8)
        ax.set_title(title, fontproperties=font, fontsize=10)
        ax.set_xticks(range(len(periods)), periods, fontproperties=font, rotation=30 if across else 90, fontsize=8)
        ax.set_xlim(-0.6, len(periods) - 0.4)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # notices and days come whole
        ax.set_ylim(0, max(drawn + [1]) * 1.12)  # room for the values above the bars
        values_drawn += [(ax, ax.text(i, v, f"{v:g}", ha="center", va="bottom", fontsize=7))
                         for i, v in enumerate(values) if v is not None]
    said = f"巡视巡察整改通报趋势(按{LABEL.get(by, by)})"
    if merged:
        said += f"\n按通报数前 {len(rows) - 1} 个{LABEL.get(by, by)}；其余 {len(merged)} 个合计为“{rows[-1]['period']}”"
    fig.suptitle(said, fontproperties=font, fontsize=11)
    if lines:
        fig.supxlabel("\n".join(lines), fontproperties=font, fontsize=8, x=0.01, ha="left", multialignment="left")
    fig.canvas.draw()
    for ax in axes:
        _thin(ax, fig)
    renderer = fig.canvas.get_renderer()
    for ax, text in values_drawn:  # a value wider than its bar is left out (the page's table has it)
        bar = ax.transData.transform([(0, 0), (0.8, 0)])
        text.set_visible(text.get_window_extent(renderer=renderer).width <= bar[1][0] - bar[0][0])
    return fig


def _thin(ax, fig) -> None:
    """Keep every k-th tick label, k the smallest with which no two kept labels overlap."""
    renderer = fig.canvas.get_renderer()
    labels = ax.get_xticklabels()
    boxes = [t.get_window_extent(renderer=renderer) for t in labels]
    for step in range(1, len(labels) + 1):
        kept = boxes[::step]
        if all(a.x1 + 2 <= b.x0 for a, b in zip(kept, kept[1:])):
            break
    for i, t in enumerate(labels):
        t.set_visible(i % step == 0)


def shown_organizations(themes: list, columns: int, names: dict[str, str] | None = None) -> tuple[list[str], dict[str, int]]:
    """The `columns` organizations raising the most of `themes` (then by name), and how
    many of them every organization raising one raises."""
    names = names or {}
    counts: dict[str, int] = {}
    for t in themes:
        for org in t.organizations:
            counts[org] = counts.get(org, 0) + 1
    return sorted(counts, key=lambda o: (-counts[o], names.get(o, o), o))[:columns], counts


def themes_html(themes: list, organizations: dict[str, str], top: int = 30, columns: int = 40) -> str:
    """Themes × organizations: a marked cell is an organization whose problems raise the
    theme. The columns are the organizations raising the most of the themes shown, and
    the page says how many of how many are shown."""
    themes = themes[:top]
    orgs, counts = shown_organizations(themes, columns, organizations)
    name = lambda o: organizations.get(o, o[:12])  # noqa: E731 - a notice with no organization: its key
    head = "".join(f'<th title="{escape(name(o))}:提出 {counts[o]} 个主题">{escape(name(o))}</th>' for o in orgs)
    body = []
    for t in themes:
        cells = "".join(f'<td class="hit" title="{escape(t.term)} · {escape(name(o))}">●</td>'
                        if o in t.organizations else "<td></td>" for o in orgs)
        body.append(f"<tr><th>{escape(t.term)}({len(t.organizations)})</th>{cells}</tr>")
    shown = (f"显示 {len(orgs)} / {len(counts)} 个单位" + (f":提出这 {len(themes)} 个主题最多的 {len(orgs)} 个"
             f"(按提出的主题数排序,其余 {len(counts) - len(orgs)} 个单位未列出;--organizations 可调)"
             if len(orgs) < len(counts) else ":提出这些主题的全部单位,按提出的主题数排序"))
    return f"""<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8"><title>问题主题与单位</title>
<style>{STYLE} td {{ text-align: center; }} td.hit {{ background: #6baed6; color: #08306b; }}</style></head><body><h1>哪些问题主题在哪些单位反复出现</h1>
<p>行:问题主题(括号内为提出该主题的单位数),按单位数排序;列:单位。主题来自问题原文的分词(jieba),
固定表述保持完整(如“第一议题”“三重一大”)。用 <code>kg explain 主题</code> 查看原句。</p>
<p id="shown"><b>{escape(shown)}</b>。</p>
<table><tr><th>主题</th>{head}</tr>{''.join(body)}</table></body></html>"""

"""One page, every organization: inspection timeline, problems by heading, regulations by
what was done with them; a corpus summary on top. Plain HTML, no script, opens anywhere."""
from __future__ import annotations

from html import escape

from kg.queries import named

STYLE = """
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "PingFang SC", sans-serif; max-width: 1100px;
       margin: 2em auto; color: #222; line-height: 1.5; }
h1 { font-size: 24px; } h2 { font-size: 19px; border-bottom: 2px solid #08519c; padding-bottom: 4px; margin-top: 2em; }
h3 { font-size: 15px; margin-bottom: 4px; }
table { border-collapse: collapse; margin: 6px 0; font-size: 13px; }
td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f3f6fa; } .num { text-align: right; } .summary td { font-size: 15px; }
"""
ACTIONS = [("issued", "制定/出台"), ("revised", "修订"), ("enforced", "执行/落实"), ("studied", "学习")]


def _rows(store, name: str, **params) -> list[dict]:
    q = named(name)
    columns, rows = store.query(q.cypher, q.bind({k: str(v) for k, v in params.items()}))
    return [dict(zip(columns, r)) for r in rows]


def _table(headers: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(
        f'<td class="num">{v}</td>' if isinstance(v, int) else f"<td>{escape('' if v is None else str(v))}</td>"
        for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


# Every organization that issued a notice, placed or not (organizations-by-region lists only
# those the notices place in a region), as nodes: two organizations of one name are two.
ORGANIZATIONS = """
MATCH (o:Organization)<-[:GROUP_OF]-(:PartyGroup)<-[:ISSUED_BY]-(d:Document)
OPTIONAL MATCH (o)-[:LOCATED_IN]->(g:Region)
RETURN o.key AS organization_key, o.name AS organization, g.province AS province, g.name AS region,
       count(DISTINCT d) AS documents
ORDER BY province, region, organization, organization_key
"""


def _by_organization(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r["organization_key"], []).append(r)
    return out


def html(store) -> str:
    from kg.viz.recurrence import KINDS

    count = lambda q: store.query(q)[1][0][0]  # noqa: E731
    docs = count("MATCH (d:Document) RETURN count(d)")
    columns, rows = store.query(ORGANIZATIONS)
    orgs = [dict(zip(columns, r)) for r in rows]
    recurring = _rows(store, "recurring-regulations")
    timeline = _by_organization(_rows(store, "inspection-timeline"))
    headings = _by_organization(_rows(store, "problems-by-heading"))
    actions = _by_organization(_rows(store, "organization-regulations"))
    categories = _rows(store, "problems-by-category")
    parts = [f"<!DOCTYPE html><html lang='zh-Hans'><head><meta charset='utf-8'><title>kg report</title>"
             f"<style>{STYLE}</style></head><body><h1>巡视巡察整改通报 · 语料概览</h1>"]
    parts.append(_table(["通报", "单位", "法规（非内部）", "跨单位反复引用的法规", "问题"], [[
        docs, len(orgs),
        count("MATCH (r:Regulation) WHERE r.kind <> 'not_regulation' AND r.scope = 'global' RETURN count(r)"),
        len(recurring), count("MATCH (p:Problem) RETURN count(p)")]]).replace("<table>", "<table class='summary'>", 1))
    if recurring:
        parts.append("<h3>跨单位反复引用的法规</h3>" + _table(
            ["法规", "类别", "单位数", "单位"], [[r["title"], KINDS.get(r["kind"], (r["kind"],))[0], r["organizations"],
                                             "、".join(sorted(r["names"]))] for r in recurring]))
    parts.append("<h3>问题类别</h3>" + _table(["类别", "单位数", "问题数"],
                                          [[c["category"], c["organizations"], c["problems"]] for c in categories]))
    for org in orgs:
        key, name = org["organization_key"], org["organization"]
        parts.append(f"<h2 id='{escape(key)}'>{escape(name)}</h2><p>{escape(org['province'] or '（未定位）')} · "
                     f"{escape(org['region'] or '')} · {org['documents']} 份通报</p>")
        if key in timeline:
            parts.append("<h3>巡视巡察时间线</h3>" + _table(
                ["巡察组", "进驻", "结束", "反馈", "公布", "结束→反馈（天）", "反馈→公布（天）"],
                [[t["team"], t["start_date"], t["end_date"], t["feedback_date"], t["published"],
                  t["days_to_feedback"], t["days_to_publication"]] for t in timeline[key]]))
        if key in headings:
            parts.append("<h3>问题（按标题）</h3>" + _table(["标题", "问题数"], [[h["heading"] or "（无标题）", h["problems"]]
                                                                    for h in headings[key]]))
        by_action = {a["action"]: a for a in actions.get(key, [])}
        if by_action:
            parts.append("<h3>法规：制定、修订、执行、学习</h3>" + _table(["", "数量", "法规"], [
                [label, by_action[action]["regulations"], "；".join(sorted(by_action[action]["titles"]))]
                for action, label in ACTIONS if action in by_action]))
    parts.append("</body></html>")
    return "\n".join(parts)

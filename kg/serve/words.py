"""The Chinese words kg serve's pages show for the graph's codes: labels, kinds, actions.

The graph and the JSON twins keep the codes (scripts read them); only the pages translate,
through the template filter `zh` (a code with no word here shows as it is).
"""
from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "label": {"Document": "通报", "Copy": "副本", "PartyGroup": "党组", "Organization": "单位", "Region": "地区",
              "Committee": "党委", "InspectionTeam": "巡视巡察组", "Inspection": "巡视巡察", "Regulation": "法规",
              "Problem": "问题", "Measure": "整改措施"},
    # kg.extract.citations.classify
    "kind": {"party_regulation": "党内法规", "law": "法律", "regulation": "条例规定", "normative_document": "规范性文件",
             "internal_rule": "内部制度", "not_regulation": "非法规（影视、书刊等）"},
    # kg.extract.citations.ACTIONS
    "action": {"studied": "学习", "issued": "制定", "revised": "修订", "enforced": "贯彻执行"},
    "doc_type": {"rectification": "整改进展通报", "annual_report": "年度报告", "other": "其他"},
    "level": {"province": "省级", "city": "市级", "county": "县级"},
    "scope": {"global": "通用", "organization": "本单位", "document": "仅本通报"},
    # the fact kinds a notice page marks (pages.notice)
    "detail": {"title": "标题", "issuer": "发文党组", "date": "日期", "stated total": "通报所述总数"},
    # a node page's neighbours: TYPE> the nodes it points to, <TYPE those pointing to it
    "relationship": {"COPY_OF>": "所属通报", "<COPY_OF": "副本", "ISSUED_BY>": "发文党组", "<ISSUED_BY": "发出的通报",
                     "GROUP_OF>": "所属单位", "<GROUP_OF": "党组", "LOCATED_IN>": "所在地区", "<LOCATED_IN": "本地区的单位",
                     "PART_OF>": "上级地区", "<PART_OF": "下级地区", "COMMITTEE_OF>": "所在地区", "<COMMITTEE_OF": "本地区的党委",
                     "TEAM_OF>": "派出党委", "<TEAM_OF": "派出的巡视巡察组",
                     "CONDUCTED_BY>": "巡视巡察组", "<CONDUCTED_BY": "开展的巡视巡察",
                     "INSPECTED>": "被巡视巡察单位", "<INSPECTED": "接受的巡视巡察",
                     "REPORTED_IN>": "报告它的通报", "<REPORTED_IN": "通报的巡视巡察", "CITES>": "引用的法规", "<CITES": "引用它的通报",
                     "SCOPED_TO>": "所属单位", "<SCOPED_TO": "本单位的制度", "RAISED_IN>": "所在通报", "<RAISED_IN": "通报的问题",
                     "ANSWERS>": "整改的问题", "<ANSWERS": "整改措施",
                     "ORGANIZATION_CITES>": "单位引用的法规", "<ORGANIZATION_CITES": "引用它的单位",
                     "CO_CITED>": "共同引用的法规", "<CO_CITED": "共同引用的法规"},
    "property": {"title": "标题", "name": "名称", "source": "来源文件", "doc_type": "类型", "published": "发布日期",
                 "url": "网址", "fetched": "抓取时间", "kind": "类别", "scope": "范围", "level": "级别",
                 "province": "省份", "region": "地区", "round": "轮次", "number": "组号", "start_date": "开始日期",
                 "end_date": "结束日期", "feedback_date": "反馈日期", "heading": "标题", "text": "内容",
                 "themes": "主题词", "organization": "单位", "framework": "巡视巡察重点", "same_as": "合并的名称",
                 "raw_forms": "写法", "similarity": "相似度", "category": "问题类别", "subheading": "小标题",
                 "marker": "序号", "length": "字数", "encoding": "编码", "media_type": "文件类型",
                 "published_day": "发布日（日序）", "start_day": "开始日（日序）", "end_day": "结束日（日序）",
                 "feedback_day": "反馈日（日序）"},
}


def zh(code, vocabulary: str):
    """The word for `code` in `vocabulary` (WORDS), or the code itself."""
    return WORDS[vocabulary].get(code, code) if isinstance(code, str) else code


def zh_parts(detail) -> str:
    """A fact's detail ("party_regulation · enforced", or a problem's heading) with each
    code in it as its word."""
    parts = str(detail).split(" · ")
    return " · ".join(next((WORDS[v][p] for v in ("kind", "action", "detail") if p in WORDS[v]), p) for p in parts)

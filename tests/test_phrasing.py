"""How real notices phrase teams, periods, issuers and publication dates.

Every case is text from a real notice (the dev corpus or the seeds, quoted here so that
no case depends on a file's name), or a real sentence with one phrase swapped for
another way notices write it. Each asserts the value and the span it was read from.
"""
from __future__ import annotations

import pytest

from kg.extract import extract
from kg.read import read_bytes
from kg.schema import validate_record

SEED_OPENING = ("根据市委统一部署,2023年10月11日至12月1日,市委第三巡察组对市妇联党组开展了常规巡察。"
                "2024年1月17日,市委第三巡察组反馈了巡察意见。根据党务公开原则和巡察工作有关要求,现将巡察整改进展情况予以公布。")


def record_of(text: str) -> dict:
    record = extract(read_bytes(text.encode("utf-8"), "notice.txt"))
    validate_record(record)
    return record


def value_and_raw(record: dict, field: str):
    """(value, text of its span) for 'inspection.team', 'issuer.name', 'published' …"""
    if field == "published":
        ev = record["evidence"].get("published")
        return record["published"], ev and ev["raw"]
    if field == "title":
        ev = record["evidence"].get("title")
        return record["title"], ev and ev["raw"]
    part, key = field.split(".")
    obj = record[part] or {}
    evidence = obj.get("evidence", {})
    ev = evidence.get(key) or (evidence.get("team") if key == "committee" else None)
    return obj.get(key), ev and ev["raw"]


# (what the case shows, notice text, field, value, raw text of the span or None)
CASES = [
    ("number after the kind",
     "根据市委巡视工作统一部署,市委巡视四组于2023年10月11日至12月10日对市政务服务办党组进行了常规巡视。"
     "2024年7月30日,市委巡视四组向市政务服务办党组反馈了巡视意见。",
     "inspection.team", "市委巡视四组", "市委巡视四组"),
    ("number after the kind: its number", "根据市委巡视工作统一部署,市委巡视四组于2023年10月11日至12月10日对市政务服务办党组进行了常规巡视。",
     "inspection.team_number", 4, None),
    ("feedback in the next sentence",
     "根据市委巡视工作统一部署,市委巡视四组于2023年10月11日至12月10日对市政务服务办党组进行了常规巡视。"
     "2024年7月30日,市委巡视四组向市政务服务办党组反馈了巡视意见。",
     "inspection.feedback", "2024-07-30", "2024年7月30日"),
    ("modifier between number and kind",
     "根据市委巡察工作统一部署,2024年3月7日至5月7日,市委第一提级巡察组对区司法局党组开展了提级巡察,"
     "2024年9月6日就巡察情况向我单位进行了反馈,实事求是、客观公正地指出了工作中存在的问题和不足。",
     "inspection.team", "市委第一提级巡察组", "市委第一提级巡察组"),
    ("a team without a number",
     "根据县委统一部署,2025年3月14日至4月20日,县委机动巡察组对县医疗保障局党组进行了巡察。"
     "2025年5月21日,县委机动巡察组反馈了巡察意见。",
     "inspection.team", "县委机动巡察组", "县委机动巡察组"),
    ("a field before the kind, feedback with 并于",
     "根据四届区委第二轮巡察工作统一部署,2022年3月15日至5月20日,区委营商环境专项巡察组对中共广州市南沙新区明珠湾开发建设管理局"
     "(简称明珠湾管理局)党组开展专项巡察,并于7月5日召开巡察反馈会向明珠湾管理局党组反馈了巡察意见。",
     "inspection.feedback", "2022-07-05", "7月5日"),
    ("the round from the deployment",
     "根据四届区委第二轮巡察工作统一部署,2022年3月15日至5月20日,区委营商环境专项巡察组对中共广州市南沙新区明珠湾开发建设管理局"
     "(简称明珠湾管理局)党组开展专项巡察,并于7月5日召开巡察反馈会向明珠湾管理局党组反馈了巡察意见。",
     "inspection.round", 2, "四届区委第二轮巡察"),
    ("an inspected body with a bracketed short name",
     "根据四届区委第二轮巡察工作统一部署,2022年3月15日至5月20日,区委营商环境专项巡察组对中共广州市南沙新区明珠湾开发建设管理局"
     "(简称明珠湾管理局)党组开展专项巡察,并于7月5日召开巡察反馈会向明珠湾管理局党组反馈了巡察意见。",
     "issuer.organization", "广州市南沙新区明珠湾开发建设管理局", None),
    ("a cross-inspection team with its place and number after the kind",
     "按照市委、区委巡察工作统一部署,广州市区级交叉巡察第18组从3月17日到5月25日对我局党组开展巡察。"
     "6月21日,广州市区级交叉巡察第18组反馈了巡察情况。",
     "inspection.team", "广州市区级交叉巡察第18组", "广州市区级交叉巡察第18组"),
    ("a period without a year is not guessed",
     "按照市委、区委巡察工作统一部署,广州市区级交叉巡察第18组从3月17日到5月25日对我局党组开展巡察。"
     "6月21日,广州市区级交叉巡察第18组反馈了巡察情况。",
     "inspection.start", None, None),
    ("我局 points at the full name written elsewhere",
     "按照市委、区委巡察工作统一部署,广州市区级交叉巡察第18组从3月17日到5月25日对我局党组开展巡察。\n"
     "(二)强化组织领导,构建工作体系。局党组坚决扛起整改落实主体责任,对标对表区委部署要求,"
     "迅速成立中共广州市规划和自然资源局天河区分局党组巡察整改工作领导小组,由局主要领导任组长。",
     "issuer.name", "中共广州市规划和自然资源局天河区分局党组", "中共广州市规划和自然资源局天河区分局党组"),
    ("no team: committee and kind from the round",
     "市委政法委关于巡视集中整改情况的公开\n"
     "根据十一届市委第八轮第一批巡视工作部署要求,现将市委政法委(含市法学会党组)巡视集中整改情况向社会公开。",
     "inspection.round", 8, "十一届市委第八轮第一批巡视"),
    ("no team: the committee",
     "市委政法委关于巡视集中整改情况的公开\n"
     "根据十一届市委第八轮第一批巡视工作部署要求,现将市委政法委(含市法学会党组)巡视集中整改情况向社会公开。",
     "inspection.committee", "市委", "市委第八轮第一批巡视"),
    ("feedback with 并于 and no year, after the period",
     "根据省委统一部署,省委第三巡视组于2023年7月3日至8月31日对连云港市海州区开展了巡视,并于10月11日进行了反馈。",
     "inspection.feedback", "2023-10-11", "10月11日"),
    ("the feedback recipient is a county committee",
     "根据省委统一部署,2020年10月12日至2020年12月12日,省委第二巡视组对深圳市龙华区进行了巡视。"
     "2021年1月27日,省委巡视组向龙华区委反馈了巡视意见。",
     "issuer.name", "龙华区委", "龙华区委"),
    ("the committee of a county is the province's",
     "根据省委统一部署,2020年10月12日至2020年12月12日,省委第二巡视组对深圳市龙华区进行了巡视。"
     "2021年1月27日,省委巡视组向龙华区委反馈了巡视意见。",
     "inspection.committee", "广东省委", "省委第二巡视组"),
    ("a division name several provinces hold is not placed",
     "根据省委统一部署,2024年4月28日至7月27日,省委第三巡视组对城中区进行了常规巡视,"
     "2024年10月24日,省委第三巡视组向城中区委反馈了巡视意见。",
     "issuer.region", None, None),
    ("a central team, the provincial committee as recipient",
     "根据中央统一部署,2016年6月30日至8月30日,中央第三巡视组对湖北省进行了巡视“回头看”。"
     "10月10日,中央巡视组向湖北省委反馈了巡视意见。",
     "issuer.name", "湖北省委", "湖北省委"),
    ("a 党委 issuer",
     "根据市委统一部署,2023年11月29日至2024年1月31日,市委第五巡察组对滨海港工业园区管理办公室党委进行了巡察,"
     "2024年4月9日市委第五巡察组向园区党委反馈了巡察意见。",
     "issuer.name", "滨海港工业园区管理办公室党委", "滨海港工业园区管理办公室党委"),
    ("a year-spanning period",
     "根据市委统一部署,2023年11月29日至2024年1月31日,市委第五巡察组对滨海港工业园区管理办公室党委进行了巡察,"
     "2024年4月9日市委第五巡察组向园区党委反馈了巡察意见。",
     "inspection.end", "2024-01-31", "2024年1月31日"),
    # Page headers as scraped
    ("a labelled header date glued to the source",
     "来源:明珠湾管理局发布日期:2022-12-08\n【浏览字号 :大 中 小】\n-\n" + SEED_OPENING,
     "published", "2022-12-08", "2022-12-08"),
    ("a header date with a clock time after the title",
     "中共天津市人民政府政务服务办公室党组关于十二届市委第三轮第二批巡视整改进展情况的通报\n"
     "来源:天津市人民政府政务服务办公室 发布时间:2025-04-15 09:00\n\n" + SEED_OPENING,
     "published", "2025-04-15", "2025-04-15"),
    ("an editor line with a date and time",
     "龙华新闻\n\n中共深圳市龙华区委关于巡视整改进展情况的通报\n\n编辑:陶倩2021-11-23 10:50内容来源:龙华新闻\n\n新闻提要\n\n"
     + SEED_OPENING,
     "published", "2021-11-23", "2021-11-23"),
    ("the title found below the site name",
     "龙华新闻\n\n中共深圳市龙华区委关于巡视整改进展情况的通报\n\n编辑:陶倩2021-11-23 10:50内容来源:龙华新闻\n\n" + SEED_OPENING,
     "title", "中共深圳市龙华区委关于巡视整改进展情况的通报", "中共深圳市龙华区委关于巡视整改进展情况的通报"),
    ("a Party committee issuer named in the title",
     "龙华新闻\n\n中共深圳市龙华区委关于巡视整改进展情况的通报\n\n编辑:陶倩2021-11-23 10:50内容来源:龙华新闻\n\n" + SEED_OPENING,
     "issuer.name", "中共深圳市龙华区委", "中共深圳市龙华区委"),
    ("a date in brackets after the title",
     "中共上海市普陀区委员会关于十二届市委第二轮巡视集中整改进展情况的通报 (2024-07-26)\n\n来源: 上海普陀\n\n" + SEED_OPENING,
     "published", "2024-07-26", "2024-07-26"),
    ("a 委员会 issuer with a space before 关于",
     "中共深圳市罗湖区委 关于巡视整改进展情况的通报\n\n发布日期:2019-12-25   来源:南粤清风网\n\n" + SEED_OPENING,
     "issuer.name", "中共深圳市罗湖区委", "中共深圳市罗湖区委"),
    ("a title broken after the issuer",
     "当前位置: 首页 > 巡视巡察 > 巡视整改\n中共上海市闵行区委员会关于十二届市委第二轮巡视集中整改进展情况的通报\n\n"
     "中共上海市闵行区委员会\n\n关于十二届市委第二轮巡视集中整改进展情况的通报\n\n" + SEED_OPENING,
     "issuer.name", "中共上海市闵行区委员会", "中共上海市闵行区委员会"),
    ("an update time and a site's date banner are not publication dates",
     "今天是:2019年10月31日 星期三 农历十月初七\n公告公示\n\n静海区关于十一届市委第九轮巡视整改进展情况的通报\n"
     "文章来源: 中共天津市静海区委员会 更新时间:2022/08/04 08:26:45\n\n" + SEED_OPENING,
     "published", None, None),
    ("a dotted date on the last line",
     SEED_OPENING + "\n欢迎广大干部群众对巡察整改落实情况进行监督。\n2024.08.20",
     "published", "2024-08-20", "2024.08.20"),
    # A real opening with one phrase written another way
    ("巡察三组", SEED_OPENING.replace("市委第三巡察组对", "市委巡察三组对"), "inspection.team", "市委巡察三组", "市委巡察三组"),
    ("a field ending in 专项 and a number after the kind",
     SEED_OPENING.replace("市委第三巡察组对", "县委乡村振兴领域专项巡察一组对"),
     "inspection.team", "县委乡村振兴领域专项巡察一组", "县委乡村振兴领域专项巡察一组"),
    ("自治区党委", SEED_OPENING.replace("市委第三巡察组对", "自治区党委第三巡视组对"),
     "inspection.committee", "自治区党委", "自治区党委第三巡视组"),
    ("a dash between the dates", SEED_OPENING.replace("10月11日至12月1日", "10月11日—12月1日"),
     "inspection.end", "2023-12-01", "12月1日"),
    ("a period to the month", SEED_OPENING.replace("2023年10月11日至12月1日", "2023年10月至12月"),
     "inspection.start", "2023-10", "2023年10月至12月"),
    ("feedback after a period to the month", SEED_OPENING.replace("2023年10月11日至12月1日", "2023年10月至12月")
     .replace("2024年1月17日", "1月17日"), "inspection.feedback", "2024-01-17", "1月17日"),
    ("a team named by its kind alone", SEED_OPENING.replace("市委第三巡察组", "巡察组"),
     "inspection.team", "巡察组", "巡察组"),
    ("…whose committee the deployment names", SEED_OPENING.replace("市委第三巡察组", "巡察组"),
     "inspection.committee", "市委", "市委统一部署"),
    ("several teams sent by one committee",
     SEED_OPENING.replace("市委第三巡察组对市妇联党组开展了常规巡察", "县委组建3个巡察组对全县12个乡镇开展了常规巡察")
     .replace("市委第三巡察组反馈", "各巡察组反馈"),
     "inspection.committee", "县委", "县委组建3个巡察"),
    ("a year stated alone before a year-less period",
     SEED_OPENING.replace("2023年10月11日至12月1日,市委第三巡察组", "2023年,市委第三巡察组于10月11日至12月1日"),
     "inspection.start", "2023-10-11", "10月11日"),
    ("起至 between the dates", SEED_OPENING.replace("10月11日至12月1日", "10月11日起至12月1日"),
     "inspection.end", "2023-12-01", "12月1日"),
    ("a date opening a header line", "2021-09-30  来源:南粤清风网\n" + SEED_OPENING,
     "published", "2021-09-30", "2021-09-30"),
    ("twenty lines of site menu before the notice",
     "\n".join(["首页", "机构概况", "工作动态", "纪律审查", "巡视巡察", "党风廉政", "廉政文化", "信息公开", "网上信访", "专题专栏"] * 2)
     + "\n" + SEED_OPENING, "issuer.name", "市妇联党组", "市妇联党组"),
    ("an enterprise's Party committee signs by its formal name",
     SEED_OPENING.replace("市妇联党组", "湖南省建设投资集团有限责任公司党委") + "\n欢迎广大干部群众对巡察整改落实情况进行监督。\n"
     "中共湖南省建设投资集团有限责任公司委员会\n2024年8月20日",
     "issuer.name", "中共湖南省建设投资集团有限责任公司委员会", "中共湖南省建设投资集团有限责任公司委员会"),
    ("a period stated by its start only",
     SEED_OPENING.replace("2023年10月11日至12月1日,市委第三巡察组", "2023年10月11日起,市委第三巡察组"),
     "inspection.start", "2023-10-11", "2023年10月11日"),
    ("…and its end is not guessed",
     SEED_OPENING.replace("2023年10月11日至12月1日,市委第三巡察组", "2023年10月11日起,市委第三巡察组"),
     "inspection.end", None, None),
    ("a signature with its date on one line", SEED_OPENING + "\n欢迎监督。\n中共湘潭市妇女联合会党组 2024年8月20日",
     "published", "2024-08-20", "2024年8月20日"),
    ("…names the issuer", SEED_OPENING + "\n欢迎监督。\n中共湘潭市妇女联合会党组 2024年8月20日",
     "issuer.name", "中共湘潭市妇女联合会党组", "中共湘潭市妇女联合会党组"),
    ("a numbered team without its committee", SEED_OPENING.replace("市委第三巡察组", "第三巡察组"),
     "inspection.team_number", 3, None),
    ("…whose committee the deployment names", SEED_OPENING.replace("市委第三巡察组", "第三巡察组"),
     "inspection.committee", "市委", "市委统一部署"),
    ("a month period with 中旬 and 下旬", SEED_OPENING.replace("2023年10月11日至12月1日", "2023年10月中旬至12月下旬"),
     "inspection.end", "2023-12", "2023年10月中旬至12月下旬"),
    ("a date after the title without brackets",
     "中共上海市普陀区委员会关于十二届市委第二轮巡视集中整改进展情况的通报 2024-07-26\n来源: 上海普陀\n" + SEED_OPENING,
     "published", "2024-07-26", "2024-07-26"),
    ("a town committee issuer", "中共某县城关镇委员会关于县委巡察整改进展情况的通报\n" + SEED_OPENING,
     "issuer.name", "中共某县城关镇委员会", "中共某县城关镇委员会"),
]


@pytest.mark.parametrize("what,text,field,value,raw", CASES, ids=[c[0] for c in CASES])
def test_phrasing(what, text, field, value, raw):
    record = record_of(text)
    got, got_raw = value_and_raw(record, field)
    assert got == value
    if raw is not None:
        assert got_raw == raw


def test_every_span_points_at_its_raw_text():
    for _, text, *_ in CASES:
        record = record_of(text)
        for part in ("issuer", "inspection"):
            for ev in ((record[part] or {}).get("evidence") or {}).values():
                assert text[ev["span"][0]:ev["span"][1]] == ev["raw"]
        for ev in [*record["evidence"].values(), *record["warnings"]]:
            if "span" in ev:
                assert text[ev["span"][0]:ev["span"][1]] == ev["raw"]


@pytest.mark.parametrize("text,rule,raw", [
    ("按照市委、区委巡察工作统一部署,广州市区级交叉巡察第18组从3月17日到5月25日对我局党组开展巡察。",
     "inspection.period_unplaced", "3月17日到5月25日"),
    ("根据市委统一部署,202131日至430日,市委巡视一组对静海区开展了常规巡视。", "inspection.unreadable_date", "202131日"),
    (SEED_OPENING.replace("市委第三巡察组对", "市委第三巡察组、市委第五巡察组对"), "inspection.several_teams", "市委第五巡察组"),
    ("根据市委统一部署,2025年3月18日至6月6日,市委第三巡察组对市文化广电旅游局党委进行了巡察。",
     "inspection.committee_unplaced", "市委第三巡察组"),
])
def test_what_cannot_be_placed_is_a_warning(text, rule, raw):
    warnings = record_of(text)["warnings"]
    assert (rule, raw) in [(w["rule"], w["raw"]) for w in warnings]


CLOSING = "欢迎广大干部群众对巡察整改落实情况进行监督。如有意见建议,请及时向我们反映。"


@pytest.mark.parametrize("closing,phones,emails,address", [
    # seed 002's closing line, as written
    ("联系电话:0744—6223478。邮政信箱:桑植县行政中心818室;电子邮箱:296508598@qq.com。",
     ["0744-6223478"], ["296508598@qq.com"], "桑植县行政中心818室"),
    ("举报电话:12388;电子邮箱:296508598@qq.com", ["12388"], ["296508598@qq.com"], None),
    ("联系电话:(0744)6223478、13800138000;电子邮箱:296508598@qq.com。",
     ["0744-6223478", "13800138000"], ["296508598@qq.com"], None),
    ("联系方式:湘潭市妇女联合会,地址:湘潭市岳塘区湖湘西路6号(邮编411100)。", [], [], "湘潭市岳塘区湖湘西路6号"),
], ids=["seed", "hotline", "two numbers", "address and bracketed postcode"])
def test_contacts(closing, phones, emails, address):
    text = SEED_OPENING + "\n" + CLOSING + closing
    contacts = record_of(text)["contacts"]
    assert [p["value"] for p in contacts["phones"]] == phones
    assert [e["value"] for e in contacts["emails"]] == emails
    assert (contacts["address"] or {}).get("value") == address
    for fact in [*contacts["phones"], *contacts["emails"], *filter(None, [contacts["address"]])]:
        assert text[fact["span"][0]:fact["span"][1]] == fact["raw"]

"""Every 《》 title of each seed, its kind, what was done with it, and short forms."""
from __future__ import annotations

import pytest

from kg.extract.citations import classify, find_titles, normalize_title
from kg.normalize import normalize

TITLES = {
    "000": [
        "“十四五”时期妇联事业发展规划",
        "关于进一步加强妇女儿童法律援助工作的通知",
        "全市妇联系统开展大走访大排查大慰问实施方案",
        "2024年湘潭市妇联全体干部轮值接访的工作方案",
        "湘潭市女童保护关爱中心工作制度和相关职能部门工作职责",
        "灵秀流芳",
        "湘潭市清廉家庭建设年实施方案",
        "莲城莲花",
        "关于开展集中整治群众身边不正之风和腐败问题工作方案",
        "湖南省基层工会经费收支管理实施细则",
        "湘潭市妇联慰问帮扶留守困境儿童志愿服务关爱行动方案",
        "关于新形势下党内政治生活的若干准则",
        "中国共产党党组工作条例",
        "中国共产党党组工作条例",
        "湘潭市基层妇联执委素质能力提升三年行动方案",
        "关于推进全市新经济组织、新社会组织、新就业群体妇联组织和工作全覆盖的实施方案",
        "2024年湘潭市妇联机关党建工作要点",
        "中国共产党支部工作条例(试行)",
        "关于新形势下党内政治生活的若干准则",
        "进一步发挥各级妇联兼职副主席作用指导意见",
        "事业单位人事管理条例",
    ],
    "001": [
        "浙江省提振女性生育意愿的分群分类、多维治理与综合施策研究",
        "浙江省妇女权益保障条例",
        "浙江省反家庭暴力条例",
        "条例",
        "关于开展第二批家事纠纷化解“一类事”综合服务试点工作的通知",
        "省级家庭教育个案咨询师管理办法(试行)",
        "强化党建带妇建推进新经济组织、新社会组织、新就业群体妇联组织建设三年行动计划",
        "关于推进全省社会组织中妇联组织建设全覆盖的工作计划",
        "浙江省妇联干部教育培训计划(2024—2028年)",
        "长三角巾帼科创联盟2024乌镇宣言",
        "省妇联关于深入实施“四大行动”助力“三支队伍”建设的通知",
        "关于强化党建引领深化“巾帼共富工坊”建设的实施意见",
        "浙江省未成年人保护条例",
        "城市儿童友好空间建设可复制经验清单(第一批)",
        "机关干部联系服务基层和妇女群众制度",
        "省财政厅关于进一步加强和规范政府购买服务管理的通知",
        "机关财务管理制度",
        "家庭教育",
        "省妇联加强优秀年轻干部培养暂行办法",
        "省妇联直属事业单位管理办法",
    ],
    "002": [
        "中共政协桑植县委员会党组关于落实市委第七巡察组巡察反馈意见整改方案",
        "市委第七巡察组巡察政协桑植县委员会党组反馈意见整改清单",
        "半条棉被",
        "关于新时代加强和改进人民政协工作的意见",
        "关于更好发挥专门协商机构作用推动县级政协工作高质量发展的指导意见(试行)",
        "委员履职考核评价办法",
        "桑植文史资料",
        "关于加强和改进人民政协民主监督工作的实施意见",
        "档案管理制度",
        "桑植县政协党建工作制度",
        "党费收缴、使用和管理问答汇编",
        "县政协党组民主生活会制度",
        "县政协机关党支部组织生活会制度",
        "桑植县政协“三重一大”事项决策、执行制度",
        "桑植县政协党组“末位表态”制度",
        "桑植县政协因私出国(境)登记备案人员管理台账",
        "中国共产党廉洁自律准则",
        "中国共产党纪律处分条例",
        "桑植县国家公职人员因事、因病请假管理办法",
        "财务管理制度",
        "财务管理制度",
    ],
    "003": [
        "中共东营市总工会党组理论学习中心组2024年度理论学习安排",
        "东营市总工会党组理论学习中心组学习制度",
        "关于深入开展党的二十届三中全会精神宣传宣讲工作的通知",
        "关于进一步加强全市工会基层组织建设的意见",
        "2024年全市基层工作安排",
        "东营市职工劳动和技能竞赛管理暂行办法",
        "市总工会优化营商环境工作方案",
        "东营市工人文化宫运营管理办法(试行)",
        "工会预算管理办法",
        "山东省总工会贯彻落实〈工会预算管理办法〉实施细则",
        "工会预算管理办法",
        "中华人民共和国工会法",
        "工会会计制度",
        "工会预算管理办法",
        "东营市总工会经济活动内部控制实施办法",
        "东营市总工会本级支出管理实施细则",
        "东营市总工会本级支出管理实施细则",
        "关于贯彻落实过“紧日子”要求进一步加强工会预算管理的通知",
        "东营市工会全面推进预算绩效管理实施办法",
        "中国共产党党组工作条例",
        "东营市总工会“三重一大”事项实施办法",
        "关于加强市总工会青年理论学习的通知",
        "关于新形势下党内政治生活的若干准则",
        "关于实行党风廉政建设责任制的规定",
        "东营市总工会2024年党风廉政建设和反腐败工作要点",
        "中共东营市总工会党组落实全面从严治党主体责任2024年任务安排",
        "昼警夕惕",
        "家风之殇",
        "党政领导干部选拔任用工作条例",
        "东营市市直机关事业单位科级干部选拔任用工作规程",
        "东营市干部选拔任用纪实工作实施细则(试行)",
        "市总工会干部队伍建设规划(2024—2029年)",
        "东营市总工会本级支出管理实施细则",
        "东营市总工会经济活动内部控制实施办法",
    ],
    "004": [
        "市妇联党组落实全面从严治党主体责任清单和任务清单",
        "天津巾帼志愿服务蓝皮书(2023年)",
        "党政领导干部选拔任用工作条例",
        "中共天津市妇女联合会党组关于贯彻落实中央八项规定精神的具体举措",
        "市妇联加强和改进干部因私出国(境)管理监督暂行规定",
        "天津市妇女联合会规范差旅伙食费和市内交通费收交管理规定",
        "贯彻落实〈整治形式主义为基层减负若干规定〉重点任务分工方案",
        "整治形式主义为基层减负若干规定",
        "中国共产党纪律处分条例",
        "条例",
        "刻印在心",
        "条例",
        "条例",
        "天津市妇联2024年统战工作要点",
    ],
}


@pytest.mark.parametrize("doc", sorted(TITLES))
def test_full_citation_list(records, doc):
    assert [c["title"] for c in records[doc]["citations"]] == TITLES[doc]


KINDS = {
    "中华人民共和国工会法": "law",
    "中国共产党纪律处分条例": "party_regulation",
    "中国共产党党组工作条例": "party_regulation",
    "关于新形势下党内政治生活的若干准则": "party_regulation",
    "党政领导干部选拔任用工作条例": "party_regulation",
    "中国共产党支部工作条例(试行)": "party_regulation",
    "整治形式主义为基层减负若干规定": "party_regulation",
    "浙江省妇女权益保障条例": "regulation",
    "事业单位人事管理条例": "regulation",
    "关于进一步加强妇女儿童法律援助工作的通知": "normative_document",
    "“十四五”时期妇联事业发展规划": "normative_document",
    "省级家庭教育个案咨询师管理办法(试行)": "normative_document",
    "财务管理制度": "internal_rule",
    "档案管理制度": "internal_rule",
    "东营市总工会本级支出管理实施细则": "internal_rule",  # the organization's own, whatever its suffix
    "省妇联直属事业单位管理办法": "internal_rule",
    "天津市妇联2024年统战工作要点": "internal_rule",
    "半条棉被": "not_regulation",  # a film
    "家庭教育": "not_regulation",  # a magazine
    "灵秀流芳": "not_regulation",  # a booklet
    "浙江省提振女性生育意愿的分群分类、多维治理与综合施策研究": "not_regulation",  # a research topic
    "昼警夕惕": "not_regulation",  # a warning-education film
}


def test_kinds(records):
    seen = {c["title"]: c["kind"] for r in records.values() for c in r["citations"]}
    assert {t: seen[t] for t in KINDS} == KINDS


ACTIONS = [
    ("000", "事业单位人事管理条例", "enforced"),  # 严格按《…》执行
    ("000", "中国共产党党组工作条例", "studied"),  # 集体学习《A》《B》: the verb covers the enumeration
    ("000", "湘潭市清廉家庭建设年实施方案", "issued"),  # 出台
    ("001", "机关财务管理制度", "revised"),  # 修订
    ("001", "浙江省妇女权益保障条例", None),  # 推动…立法进程: nothing done with it yet
    ("003", "中华人民共和国工会法", "studied"),  # 将《A》《B》《C》纳入…集体学习内容
    ("003", "关于贯彻落实过“紧日子”要求进一步加强工会预算管理的通知", "enforced"),
    ("004", "中国共产党纪律处分条例", "studied"),  # 学习贯彻新修订的《…》: 修订的 describes it
]


@pytest.mark.parametrize("doc,title,action", ACTIONS)
def test_actions(records, doc, title, action):
    first = next(c for c in records[doc]["citations"] if c["title"] == title)
    assert first["action"] == action


def test_alias_defined_by_yixia_jiancheng(records):
    """新修订的《中國共產黨紀律處分條例》(以下簡稱《條例》) makes later 《條例》 point to it."""
    short = [c for c in records["004"]["citations"] if c["title"] == "条例"]
    assert len(short) == 3
    assert all(c["alias_of"] == ["中国共产党纪律处分条例"] for c in short)
    assert [c["alias_rule"] for c in short] == ["citations.alias_definition", "citations.alias_use", "citations.alias_use"]
    assert all(c["kind"] == "party_regulation" for c in short)
    assert short[1]["raw"] == "《條例》" and short[1]["action"] == "enforced"  # 對照《條例》


def test_plural_short_form_points_to_both(records):
    """两个《条例》 after 《浙江省妇女权益保障条例》和《浙江省反家庭暴力条例》."""
    (short,) = [c for c in records["001"]["citations"] if c["title"] == "条例"]
    assert short["alias_of"] == ["浙江省妇女权益保障条例", "浙江省反家庭暴力条例"]
    assert short["alias_rule"] == "citations.plural_back_reference"


def test_nested_title_yields_outer_and_inner(records):
    cites = records["003"]["citations"]
    outer = next(c for c in cites if c["title"].startswith("山东省总工会"))
    assert outer["title"] == "山东省总工会贯彻落实〈工会预算管理办法〉实施细则"
    assert outer["raw"] == "《山东省总工会贯彻落实<工会预算管理办法>实施细则》"
    inner = cites[cites.index(outer) + 1]
    assert (inner["title"], inner["raw"], inner["rule"]) == ("工会预算管理办法", "<工会预算管理办法>", "citations.nested_title")
    assert outer["span"][0] < inner["span"][0] < inner["span"][1] < outer["span"][1]


def test_traditional_titles_match_simplified(records):
    """The same regulation cited in the traditional notice has the simplified title."""
    simplified = {c["title"] for d in ("000", "003") for c in records[d]["citations"]}
    traditional = {c["title"] for c in records["004"]["citations"]}
    assert "党政领导干部选拔任用工作条例" in simplified & traditional


@pytest.mark.parametrize(
    "text,expected",
    [
        ("学习《条例》和《准则》。", ["条例", "准则"]),
        ("《中国共产党章程》《关于<规定>的通知》", ["中国共产党章程", "关于〈规定〉的通知", "规定"]),
        ("缺少结尾《未闭合的标题,继续正文。", []),  # unbalanced: no title
        ("多余的结尾》和《》空标题", []),
        ("跨行《不是\n标题》", []),
    ],
)
def test_find_titles_edge_cases(text, expected):
    norm = normalize(text)

    assert [normalize_title(norm[t.inner_start : t.inner_end]) for t in find_titles(norm)] == expected


def test_classify_org_own_titles_are_internal():
    forms = ["湘潭市妇联", "市妇联"]
    assert classify("2024年湘潭市妇联机关党建工作要点", forms) == ("internal_rule", "kind.own_organization")
    assert classify("2024年湘潭市妇联机关党建工作要点", [])[0] == "normative_document"

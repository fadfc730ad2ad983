"""kg serve over real HTTP (uvicorn in a thread, httpx): the pages, their JSON twins, the
named queries and the Cypher box, curation from the page, escaping, paths, lists cut to a
page. Concurrent requests: tests/test_serve_load.py."""
from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

pytest.importorskip("starlette", reason="kg serve needs its extra: pip install 'kg[serve]'")

from kg.curation import load  # noqa: E402
from kg.serve import pages  # noqa: E402
from tests.conftest import seed  # noqa: E402
from tests.serve_helpers import BAD_IMG, BAD_SCRIPT, HOSTILE_TITLE, hostile_notice, serving  # noqa: E402

REG = "中国共产党纪律处分条例"
ORG = "湘潭市妇女联合会"


@pytest.fixture(scope="module")
def site(seed_store):
    with serving(seed_store) as (base, client):
        yield client


@pytest.fixture(scope="module")
def doc000(seed_store):
    ((key,),) = [r[:1] for r in seed_store.query("MATCH (d:Document) WHERE d.source ENDS WITH $s RETURN d.key",
                                                  {"s": seed("000").name})[1]]
    return key


def test_a_notice_marks_every_fact_where_it_was_read(site, doc000):
    page = site.get(f"/notice/{doc000}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    data = site.get(f"/notice/{doc000}.json").json()
    text = "".join(s["text"] for s in data["segments"])
    assert text == Path(seed("000")).read_text(encoding="utf-8-sig").replace("\r\n", "\n")[:len(text)]
    kinds = {f["kind"] for f in data["facts"]}
    assert {"citation", "issuer", "organization", "inspection", "team", "problem", "measure"} <= kinds
    assert all(f["placed"] for f in data["facts"])
    cited = next(f for f in data["facts"] if f["label"] == "Regulation" and f["name"] == "中国共产党党组工作条例")
    assert text[cited["start"]:cited["end"]] == "《中国共产党党组工作条例》"
    assert cited["rule"].startswith("citations.")
    # In the page: the span is a mark naming its fact and rule, with an anchor, and the fact is listed.
    html = page.text
    assert f'id="s{cited["start"]}-{cited["end"]}"' in html
    mark = re.search(r'<mark class="fact f-citation" data-facts="[^"]*" title="([^"]*)"[^>]*>《中国共产党党组工作条例》</mark>', html)
    assert mark and "citations." in mark.group(1)
    assert f'id="fact-{cited["id"]}"' in html and 'href="/regulation/' in html


def test_a_notice_marks_its_stated_totals_apart_from_its_title(seed_store, records):
    r = records["002"]  # 14个问题38个具体问题, 已完成整改35个 …, 截止10月28日
    facts = pages.notice(seed_store, r["sha256"])["facts"]
    totals = {f["rule"]: (f["start"], f["end"], f["name"]) for f in facts if f["kind"] == "total"}
    evidence = r["stated_totals"]["evidence"]
    assert totals == {e["rule"]: (*e["span"], e["raw"]) for e in evidence.values()}
    assert all(f["kind"] != "title" for f in facts if f["rule"].startswith("stated_totals."))


def test_a_notice_links_its_page_when_it_has_one(seed_store, doc000):
    data = pages.notice(seed_store, doc000)
    assert data["url"] is None  # a plain file
    assert data["published"] == "2024-08-20"


def test_a_regulation_page_has_its_forms_citing_organizations_and_sentences(site):
    data = site.get(f"/regulation/{quote(REG)}.json").json()
    assert data["kind"] == "party_regulation"
    assert "中國共產黨紀律處分條例" in data["raw_forms"]  # the traditional notice's form
    assert {"天津市妇女联合会", "政协桑植县委员会"} <= {o["name"] for o in data["organizations"]}
    assert {"alias": "条例", "citations": 3} in data["aliases"]  # 《條例》 of the traditional notice, normalized
    sentence = data["citations"][0]
    assert sentence["cited"] and sentence["before"] + sentence["cited"] + sentence["after"]
    assert re.fullmatch(r"/notice/[0-9a-f]{64}#s\d+-\d+", sentence["href"])
    assert sum(y["notices"] for y in data["per_year"]) == data["notices"] == 2
    assert sum(y["citations"] for y in data["per_year"]) == data["citation_count"] == 5
    assert data["organization_count"] == len(data["organizations"]) == 2
    assert data["notice_count"] == 2 and data["citations_offset"] == data["organizations_offset"] == 0
    page = site.get(f"/regulation/{quote(REG)}").text
    assert "天津市妇女联合会" in page and "<b>《中国共产党纪律处分条例》</b>" in page
    assert "党内法规" in page and "被 2 个单位的\n2 篇通报引用 5 次" in page and "更多" not in page


def test_an_organization_page_has_its_notices_timeline_problems_and_regulations(site, doc000):
    data = site.get(f"/organization/{quote(ORG)}.json").json()
    assert [n["key"] for n in data["notices"]] == [doc000]
    (step,) = data["inspections"]
    assert (step["start"], step["end"], step["feedback"], step["published"]) == (
        "2023-10-11", "2023-12-01", "2024-01-17", "2024-08-20")
    assert step["days_to_feedback"] == 47 and step["days_to_publication"] == 216
    assert sum(p["problems"] for p in data["problems"]) == 35
    assert "中国共产党党组工作条例" in {r["title"] for r in data["regulations"]}
    assert data["region"]["name"] == "湘潭市"
    assert data["notice_count"] == 1 and data["inspection_count"] == 1
    assert data["regulation_count"] == len(data["regulations"])
    page = site.get(f"/organization/{quote(ORG)}").text
    assert "湘潭市委第三巡察组" in page and "市级" in page and "整改进展通报" in page


def test_search_finds_every_kind_in_simplified_or_traditional(site):
    simplified = site.get("/search.json", params={"q": "妇女联合会"}).json()
    traditional = site.get("/search.json", params={"q": "婦女聯合會"}).json()
    assert simplified["hits"] == traditional["hits"] and traditional["normalized"] == "妇女联合会"
    assert {"Organization", "PartyGroup"} <= set(simplified["kinds"])
    kinds = set()
    for q in ("条例", "湘潭", "巡察组", "市委", "seeds/000"):
        kinds |= {h["kind"] for h in site.get("/search.json", params={"q": q}).json()["hits"]}
    assert kinds >= {"Regulation", "Organization", "PartyGroup", "InspectionTeam", "Committee", "Region", "Document"}
    short = site.get("/search.json", params={"q": "湘潭市妇联"}).json()  # a short name, as notices write it
    assert {"kind": "Organization", "name": ORG} in [{"kind": h["kind"], "name": h["name"]} for h in short["hits"]]
    assert "天津市妇女联合会" in {h["name"] for h in site.get("/search.json", params={"q": "妇联"}).json()["hits"]}
    page = site.get("/search", params={"q": "纪律处分"}).text
    assert f'href="/regulation/{quote(REG, safe="")}"' in page and 'title="Regulation">法规</span>' in page
    assert site.get("/search").status_code == 200
    nothing = site.get("/search", params={"q": "没有这样的名称"})
    assert nothing.status_code == 200 and "共 0 条结果" in nothing.text and 'class="empty"' in nothing.text


def test_every_page_has_a_json_twin_from_the_same_function(site, seed_store, doc000):
    twins = {f"/notice/{doc000}": pages.notice(seed_store, doc000),
             f"/regulation/{quote(REG)}": pages.regulation(seed_store, REG),
             f"/organization/{quote(ORG)}": pages.organization(seed_store, ORG),
             f"/node/Region/{quote('湖南省/湘潭市', safe='')}": pages.node(seed_store, "Region", "湖南省/湘潭市"),
             "/queries": pages.queries()}
    for path, data in twins.items():
        html, twin = site.get(path), site.get(path + ".json")
        assert html.status_code == twin.status_code == 200, path
        assert twin.headers["content-type"] == "application/json", path
        assert twin.json() == json.loads(json.dumps(data)), path
        assert f'href="{quote(unquote(path), safe="/")}.json"' in html.text, path
    assert site.get("/index.json").json()["nodes"]["Document"] == 5


def test_a_node_page_lists_its_neighbours(site):
    data = site.get("/node/Committee/" + quote("湘潭市委", safe="") + ".json").json()
    related = {r["type"]: r for r in data["related"]}
    assert related["TEAM_OF"]["nodes"][0]["name"] == "湘潭市委第三巡察组"


def test_named_queries_are_forms_with_csv_and_json(site):
    page = site.get("/queries").text
    from kg.queries import library

    for name in library("cypher"):
        assert f'action="/query/{name}"' in page
    result = site.get("/query/problems-by-heading", params={"organization": ORG})
    assert result.status_code == 200 and "党组核心作用发挥不充分" in result.text
    rows = list(csv.reader(io.StringIO(site.get("/query/problems-by-heading.csv", params={"organization": ORG}).text)))
    assert rows[0] == ["organization", "organization_key", "heading", "problems"]
    assert sum(int(r[3]) for r in rows[1:]) == 35
    data = site.get("/query/co-cited-regulations.json", params={"min_documents": "2", "limit": ""}).json()
    assert data["columns"] == ["first", "second", "documents"] and data["error"] is None
    bad = site.get("/query/co-cited-regulations.json", params={"min_documents": "two"})
    assert bad.status_code == 400 and "must be int" in bad.json()["error"]
    assert site.get("/query/no-such-query").status_code == 404


def test_the_cypher_box_reads_and_refuses_everything_else(site):
    ok = site.get("/cypher.json", params={"q": "MATCH (r:Region) RETURN r.name ORDER BY r.name"}).json()
    assert ok["columns"] == ["r.name"] and ["湘潭市"] in ok["rows"]
    assert site.get("/cypher.csv", params={"q": "MATCH (r:Region) RETURN count(*) AS n"}).text.split() == ["n", "8"]
    for bad in ("MATCH (r:Region) DETACH DELETE r", "CREATE (:Region {key: 'x'})", "CHECKPOINT",
                "COPY Region TO '/tmp/out.csv'", "MATCH (r:Region) RETURN r; MATCH (r:Region) DELETE r"):
        refused = site.get("/cypher", params={"q": bad})
        assert refused.status_code == 400, bad
        assert "已拒绝（" in refused.text and "只运行读取图谱的语句" in refused.text, bad
    assert site.get("/cypher.json", params={"q": "MATCH (r:Region) RETURN count(*)"}).json()["rows"] == [[8]]


def test_without_curation_there_are_no_buttons_and_no_writes(site, tmp_path):
    page = site.get(f"/regulation/{quote(REG)}").text
    assert "合并为同一个" not in page and "分开处理" not in page and 'name="token"' not in page
    refused = site.post("/curate", data={"kind": "same-as", "label": "Regulation", "keep": REG, "merge": REG})
    assert refused.status_code == 403 and "--curation" in refused.text


def test_curation_from_the_page_writes_the_decision_with_its_token(seed_store, tmp_path):
    path = tmp_path / "kg-curation.toml"
    with serving(seed_store, str(path)) as (base, client):
        page = client.get(f"/regulation/{quote('中国共产党支部工作条例(试行)')}").text
        assert "合并为同一个" in page and "分开处理" in page
        token = re.search(r'name="token" value="([^"]+)"', page).group(1)
        form = {"kind": "same-as", "label": "Regulation", "keep": "中国共产党支部工作条例(试行)",
                "merge": "中国共产党党组工作条例", "why": "one regulation"}
        assert client.post("/curate", data=form).status_code == 403  # no token
        assert client.post("/curate", data={**form, "token": "x" * 43}).status_code == 403
        assert client.post("/curate", data={**form, "token": token},
                           headers={"Origin": "http://evil.example"}).status_code == 403
        assert not path.exists()
        done = client.post("/curate", data={**form, "token": token}, headers={"Origin": base})
        assert done.status_code == 200, done.text
        assert "kg-curation.toml:" in done.text and "中国共产党党组工作条例" in done.text and "已写入" in done.text
        (decision,) = load(path).decisions
        assert (decision.kind, decision.key, decision.other, decision.why) == (
            "same-as", "中国共产党支部工作条例(试行)", "中国共产党党组工作条例", "one regulation")
        assert f"{decision.line}  [[same-as]]" in done.text  # the line written, as the file numbers it
        again = client.post("/curate.json", data={**form, "token": token}).json()
        assert again["written"] is False
        # keep apart: the organization's notices, by hash, checked against the store
        doc = client.get(f"/organization/{quote(ORG)}.json").json()["notices"][0]["key"]
        apart = client.post("/curate.json", data={"kind": "keep-apart", "label": "Organization", "key": ORG,
                                                  "docs": [doc], "token": token}).json()
        assert apart["written"] and load(path).decisions[-1].docs == (doc,)
        unknown = client.post("/curate", data={"kind": "keep-apart", "label": "Organization", "key": ORG,
                                               "docs": ["0" * 64], "token": token})
        assert unknown.status_code == 400 and "not among" in unknown.text
        typo = client.post("/curate", data={**form, "merge": "中国共产党支部工作", "token": token})
        assert typo.status_code == 400 and "did you mean" in typo.text
        assert len(load(path).decisions) == 2


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    from kg.backends.embedded import EmbeddedStore
    from kg.build import build_store

    folder = tmp_path_factory.mktemp("hostile")
    notices = folder / "notices"
    notices.mkdir()
    (notices / "000.txt").write_text(hostile_notice(seed("000").read_text(encoding="utf-8")), encoding="utf-8")
    body = "".join(f"<p>{line}</p>" for line in seed("003").read_text(encoding="utf-8").splitlines())
    (notices / "003.html").write_text(f'<html><head><link rel="canonical" href="{html.escape(HOSTILE_URL)}"></head>'
                                      f"<body><article>{body}</article></body></html>", encoding="utf-8")
    build_store([str(notices / "000.txt"), str(notices / "003.html")], str(folder / "store.kg"))
    return EmbeddedStore(folder / "store.kg")


HOSTILE_URL = "https://example.gov.cn/notice?q=<script>alert(1)</script>&b=1"


def test_a_notice_read_from_the_web_links_its_page_escaped(hostile_store):
    ((doc,),) = hostile_store.query("MATCH (d:Document) WHERE d.url IS NOT NULL RETURN d.key")[1]
    with serving(hostile_store) as (base, client):
        assert client.get(f"/notice/{doc}.json").json()["url"] == HOSTILE_URL
        page = client.get(f"/notice/{doc}").text
        assert 'href="https://example.gov.cn/notice?q=&lt;script&gt;alert(1)&lt;/script&gt;&amp;b=1"' in page
        assert "<script>alert" not in page


def test_everything_from_the_notices_is_escaped(hostile_store):
    ((doc, title),) = hostile_store.query("MATCH (d:Document) WHERE d.source ENDS WITH '.txt' "
                                          "RETURN d.key, d.title")[1]
    regs = [k for (k,) in hostile_store.query("MATCH (r:Regulation) WHERE r.raw_forms CONTAINS 'script' "
                                              "RETURN r.key")[1]]
    assert regs, "the hostile citation was read"
    with serving(hostile_store) as (base, client):
        paths = [f"/notice/{doc}", "/search?q=script", "/search?q=" + quote(BAD_SCRIPT), "/search?q=" + quote(BAD_IMG),
                 f"/organization/{quote(ORG)}", "/cypher?q=" + quote(f"RETURN '{BAD_SCRIPT}{BAD_IMG}' AS x"),
                 "/query/problems-by-heading?organization=" + quote(BAD_IMG)]
        paths += [f"/regulation/{quote(k, safe='')}" for k in regs]
        for path in paths:
            page = client.get(path)
            assert page.status_code in (200, 400), path
            assert "<script>alert" not in page.text and "<img src=x" not in page.text, path
            assert "default-src 'self'" in page.headers["content-security-policy"]
        notice = client.get(f"/notice/{doc}").text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in notice and "&#34;&gt;&lt;img src=x" in notice
        assert title == HOSTILE_TITLE
        assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in notice.split("<title>", 1)[1].split("</title>", 1)[0]
        hits = client.get("/search", params={"q": "巡察整改进展情况"}).text
        assert "&#34;&gt;&lt;img src=x" in hits and "<img src=x" not in hits
        assert BAD_SCRIPT in "".join(s["text"] for s in client.get(f"/notice/{doc}.json").json()["segments"])


@pytest.mark.parametrize("path", [
    "/static/../pages.py", "/static/%2e%2e/pages.py", "/static/..%2Fpages.py", "/static/%2e%2e%2f%2e%2e%2fREADME.md",
    "/static/../../../../etc/passwd", "/static//etc/passwd", "/static/%2Fetc%2Fpasswd",
    "/notice/../../etc/passwd", "/notice/..%2F..%2Fetc%2Fpasswd", "/notice/%2Fetc%2Fpasswd",
    "/notice/seeds%2F000_e7670cd4ba3f197c.txt", "/regulation/..%2F..%2Fetc%2Fpasswd", "/node/..%2F..%2Fetc/passwd",
    "/node/Document/%2Fetc%2Fpasswd", "/query/..%2F..%2Fetc%2Fpasswd", "/query/..%2Fcypher%2Fteams.cypher",
    "/regulation/中国共产党纪律处分条例.csv", "/query/teams.cypher",
])
def test_no_url_reaches_a_file_outside_the_store(site, path):
    page = site.get(path)
    assert page.status_code == 404, path
    assert "root:" not in page.text and "import" not in page.text and "MATCH" not in page.text


def test_static_files_ship_in_the_package(site):
    assert site.get("/static/kg.css").status_code == 200
    assert "select" in site.get("/static/kg.js").text
    assert "cdn" not in site.get(f"/regulation/{quote(REG)}").text.lower()


def test_the_recurrence_picture_is_served_and_links_regulations(site):
    page = site.get("/recurrence")
    assert page.status_code == 200
    assert '<script src="/static/recurrence-links.js"></script>' in page.text
    assert "/regulation/" in site.get("/static/recurrence-links.js").text
    data = site.get("/recurrence.json").json()
    assert "中国共产党纪律处分条例" in {r["title"] for r in data["regulations"]}
    assert all(r["organizations"] >= 2 and r["organizations"] == sum(r["by_group"].values())
               for r in data["regulations"])
    assert all(set(r["by_group"]) <= set(data["groups"]) for r in data["regulations"])
    assert "http://" not in page.text.split("<script", 1)[0] or "cdn" not in page.text.lower()


def test_kg_serve_refuses_a_store_it_cannot_read_or_a_port_taken(tmp_path, seed_store):
    import socket

    from tests.cli import kg

    result = kg("serve", "--db", str(tmp_path / "nothing.kg"))
    assert result.returncode == 1
    assert result.stderr.decode().startswith("kg: ") and len(result.stderr.decode().strip().splitlines()) == 1
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = kg("serve", "--db", str(seed_store.path), "--port", str(port))
    assert result.returncode == 1
    assert result.stderr.decode().strip() == f"kg: 127.0.0.1:{port}: Address already in use"



def test_a_session_answers_as_separate_queries_do(seed_store):
    q = "MATCH (r:Regulation) RETURN r.key ORDER BY r.key"
    alone = seed_store.query(q)
    with seed_store.session() as store:
        assert store.query(q) == alone and store.counts() == seed_store.counts()
        with pytest.raises(Exception, match="refused"):
            store.query("CHECKPOINT")
        assert store.query(q) == alone  # a refused statement leaves the session usable
    assert getattr(seed_store._thread, "conn", None) is None


def test_texts_read_are_kept_within_bounds(seed_store, doc000, monkeypatch):
    from kg import explain

    monkeypatch.setattr(explain, "TEXTS_KEPT", 2)
    explain._texts.clear()
    for n in range(5):
        explain.text_of(f"{n:064x}", None)
    assert len(explain._texts) == 2
    assert pages.notice(seed_store, doc000)["text_available"]
    assert len(explain._texts) == 2 and doc000 in explain._texts


def test_kg_serve_serves_the_store_it_is_given(seed_store):
    import subprocess
    import sys
    import time
    from pathlib import Path

    import httpx

    from tests.serve_helpers import free_port

    port = free_port()
    exe = Path(sys.executable).with_name("kg")
    server = subprocess.Popen([str(exe), "serve", "--db", str(seed_store.path), "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(300):
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/index.json", timeout=30)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("kg serve did not answer")
        assert page.json()["nodes"]["Document"] == 5
    finally:
        server.terminate()
        _, err = server.communicate(timeout=20)
    assert f"http://127.0.0.1:{port}/" in err.decode()


def test_a_page_asked_under_another_host_name_is_refused(site):
    """DNS rebinding: a site whose name resolves to 127.0.0.1 cannot read the pages (nor a token)."""
    assert site.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert site.get("/", headers={"Host": "localhost"}).status_code == 200
    from kg.serve.app import allowed_hosts

    assert allowed_hosts("0.0.0.0") == ["*"] and "10.0.0.5" in allowed_hosts("10.0.0.5")


def test_a_notices_problems_and_measures_are_all_found_by_key(seed_store, monkeypatch):
    """Looked up by key a few at a time (kg.resolve.problem_key): as many as the walk from the notice finds."""
    monkeypatch.setattr(pages, "BATCH", 4)  # seed 000's 35 problems take several batches
    walk = ("MATCH (p:Problem)-[:RAISED_IN]->(d:Document) WHERE d.key = $key RETURN p.key UNION ALL "
            "MATCH (m:Measure)-[:ANSWERS]->(:Problem)-[:RAISED_IN]->(d:Document) WHERE d.key = $key RETURN m.key")
    for (doc,) in seed_store.query("MATCH (d:Document) RETURN d.key")[1]:
        facts = pages.notice(seed_store, doc)["facts"]
        found = {f["key"] for f in facts if f["label"] in ("Problem", "Measure")}
        assert found == {k for (k,) in seed_store.query(walk, {"key": doc})[1]}, doc


def test_long_lists_come_a_page_at_a_time(site, monkeypatch):
    """Each list is cut in Cypher (SKIP … LIMIT); walking its pages with "更多" gives the whole
    list once, in order, and the counts do not depend on the page asked."""
    reg, org = f"/regulation/{quote(REG)}", f"/organization/{quote(ORG)}"
    whole = {reg: site.get(reg + ".json").json(), org: site.get(org + ".json").json()}
    size = 1  # the seeds' lists are short: one row a page makes every list longer than a page
    monkeypatch.setattr(pages, "SHOWN", size)  # the server runs in this process

    def walk(path: str, name: str, total: int) -> list:
        rows, offset = [], 0
        while True:
            params = {f"{name}_offset": str(offset)}
            data = site.get(path + ".json", params=params).json()
            assert data[f"{name}_offset"] == offset and len(data[name]) == size
            rows += data[name]
            html = site.get(path, params=params).text
            assert f"第 {offset + 1}–{offset + size} 条，共 {total} 条" in html
            if offset + size >= total:
                assert f'class="more" href="?{name}_offset=' not in html
                return rows
            assert f'<a class="more" href="?{name}_offset={offset + size}">更多 →</a>' in html
            offset += size

    for path, name, total in ((reg, "citations", "citation_count"), (reg, "organizations", "organization_count"),
                              (org, "regulations", "regulation_count")):
        assert walk(path, name, whole[path][total]) == whole[path][name], name
    assert whole[org]["notice_count"] == size and "notices_offset=" not in site.get(org).text  # one page: no pager
    cut = site.get(reg + ".json", params={"citations_offset": "2"}).json()
    assert cut["citations"] == whole[reg]["citations"][2:3] and len(whole[reg]["citations"]) == 5
    for key in ("citation_count", "notices", "organization_count", "per_year", "aliases", "co_cited"):
        assert cut[key] == whole[reg][key], key
    assert site.get(reg, params={"citations_offset": "-1"}).status_code == 400


# Keys of each page's JSON twin that scripts read: pages may add keys, never drop these.
TWIN_KEYS = {
    "/index.json": {"title", "nodes", "relationships", "notices", "regulations", "organizations"},
    f"/regulation/{quote(REG)}.json": {"title", "label", "key", "kind", "scope", "scoped_to", "raw_forms", "same_as",
                                       "aliases", "notices", "notice_list", "citation_count", "organizations",
                                       "citations", "citations_shown", "co_cited", "per_year"},
    f"/organization/{quote(ORG)}.json": {"title", "label", "key", "scope", "same_as", "region", "notices",
                                         "notice_list", "inspections", "problems", "regulations"},
    "/search.json?q=%E6%9D%A1%E4%BE%8B": {"title", "q", "normalized", "hits", "kinds"},
}


def test_the_json_twins_keep_their_keys(site, doc000):
    twins = {**TWIN_KEYS, f"/notice/{doc000}.json": {"title", "key", "source", "doc_type", "published", "url",
                                                      "fetched", "organization", "text_available", "segments",
                                                      "facts"}}
    for path, keys in twins.items():
        assert keys <= set(site.get(path).json()), path
    hit = site.get("/search.json", params={"q": "条例"}).json()["hits"][0]
    assert set(hit) == {"kind", "key", "name", "href"} and hit["kind"] in pages.SEARCHED[0]  # codes, not words


TEMPLATES = Path(pages.__file__).with_name("templates")
# Outside <code> and <pre> the pages' own words are Chinese, but for these names.
TECHNICAL = {"kg", "JSON", "CSV", "Cypher"}


def test_the_templates_speak_chinese():
    """Every word a template writes itself (text, titles, placeholders, labels) is Chinese
    or a technical name; what comes from the graph ({{ … }}) is the graph's."""
    from html.parser import HTMLParser

    class Words(HTMLParser):
        def __init__(self):
            super().__init__()
            self.words, self.inside = [], []

        def handle_starttag(self, tag, attrs):
            if tag in ("code", "pre"):
                self.inside.append(tag)
            for name, value in attrs:
                if name in ("title", "placeholder", "aria-label", "alt") and value:
                    self.words += re.findall(r"[A-Za-z]{2,}", value)

        def handle_endtag(self, tag):
            if self.inside and self.inside[-1] == tag:
                self.inside.pop()

        def handle_data(self, data):
            if not self.inside:
                self.words += re.findall(r"[A-Za-z]{2,}", data)

    checked = 0
    for template in sorted(TEMPLATES.glob("*.html")):
        text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", template.read_text(encoding="utf-8"), flags=re.S)
        parser = Words()
        parser.feed(text)
        english = sorted(set(parser.words) - TECHNICAL)
        assert not english, (template.name, english)
        checked += 1
    assert checked >= 15


def test_error_pages_and_refusals_are_chinese(site):
    for path, status, title in (("/notice/" + "0" * 64, 404, "找不到"), ("/query/no-such-query", 404, "找不到"),
                                (f"/regulation/{quote(REG)}?organizations_offset=x", 400, "出错了")):
        page = site.get(path)
        assert page.status_code == status, path
        assert f"<h1>{title}</h1>" in page.text and re.search(r"[\u4e00-\u9fff]", page.text.split("<h1>")[1]), path
    assert site.get("/notice/" + "0" * 64 + ".json").json()["error"].startswith("没有这篇通报")
    refused = site.post("/curate", data={"kind": "same-as"})
    assert refused.status_code == 403 and "<h1>已拒绝</h1>" in refused.text


def test_a_result_page_reads_a_thousand_rows_and_its_twins_all(site, monkeypatch):
    monkeypatch.setattr(pages, "ROW_LIMIT", 3)
    q = {"q": "MATCH (r:Region) RETURN r.name AS name ORDER BY name"}
    page = site.get("/cypher", params=q).text
    assert "共 8 行（只显示前 3 行；CSV 和 JSON 包含全部）" in page and page.count("<tr><td>") == 3
    data = site.get("/cypher.json", params=q).json()
    assert data["row_count"] == len(data["rows"]) == 8
    assert len(site.get("/cypher.csv", params=q).text.splitlines()) == 9
    named = site.get("/query/organizations-by-region").text
    assert "只显示前 3 行" in named and named.count("<tr><td>") == 3


def test_every_code_the_graph_holds_has_a_chinese_word(seed_store):
    """Labels, relationship types (both ways), regulation kinds, actions, document types and
    levels: each has its word (kg/serve/words.py), as the model and the extractors name them."""
    from kg.extract.citations import ACTIONS
    from kg.graph import model
    from kg.serve.words import WORDS, zh_parts

    m = model()
    assert set(m.nodes) <= set(WORDS["label"])
    assert {f"{t}>" for t in m.relationships} | {f"<{t}" for t in m.relationships} <= set(WORDS["relationship"])
    assert {action for action, _ in ACTIONS} == set(WORDS["action"])
    kinds = {"law", "party_regulation", "regulation", "normative_document", "internal_rule", "not_regulation"}
    assert kinds == set(WORDS["kind"])  # the codebook's list (kg/data/codebook.json)
    for column, vocabulary in (("r.kind", "kind"), ("d.doc_type", "doc_type"), ("g.level", "level"),
                               ("c.action", "action")):
        match = {"r": "(r:Regulation)", "d": "(d:Document)", "g": "(g:Region)", "c": "()-[c:CITES]->()"}[column[0]]
        held = {v for (v,) in seed_store.query(f"MATCH {match} RETURN DISTINCT {column}")[1] if v}
        assert held and held <= set(WORDS[vocabulary]), column
    assert zh_parts("party_regulation · enforced") == "党内法规 · 贯彻执行"
    assert zh_parts("党组核心作用发挥不充分") == "党组核心作用发挥不充分"  # a heading is no code

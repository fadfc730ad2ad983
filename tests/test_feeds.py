"""Scraped archives in, URLs kept: a scraper's feed (JSON Lines, CSV, JSON) and a web
archive (WARC.gz), written here from the five seed notices (each turned into an HTML page
at a made-up URL), give the seed folder's graph, each Document with its URL and fetch
time; saved pages keep the URL the browser wrote; an item without text is one line and
the rest is built; feed items added, edited and removed are rebuilt incrementally."""
from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from kg import feeds
from kg.backends.embedded import EmbeddedStore
from kg.build import build_store
from kg.errors import InputError
from kg.read import collect_inputs, read_bytes, read_source
from kg.schema import load_json
from tests.cli import kg as run_kg
from tests.test_incremental import assert_same_graph

SITE = "https://jw.example.gov.cn/xcgz/2024/notice-{}.html"
FETCHED = "2025-03-0{}T08:30:00+00:00"


def url(i: int) -> str:
    return SITE.format(i)


def page(text: str) -> str:
    """A notice as a site serves it: a title, navigation, the text in paragraphs, a footer."""
    lines = [line for line in text.splitlines() if line.strip()]
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(lines[0].strip())}</title></head>"
            f"<body><nav><a href='/'>首页</a> &gt; <a href='/xcgz/'>巡察工作</a></nav><article>{body}</article>"
            "<footer>版权所有 纪检监察网站</footer></body></html>")


@pytest.fixture(scope="module")
def texts(seed_files) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in seed_files]


def write_jsonl(path: Path, texts: list[str] | dict[int, str]) -> None:
    """Scrapy's JSON Lines export: url, text, fetched (texts: a list, or page number → text)."""
    with path.open("w", encoding="utf-8") as f:
        for i, text in (texts.items() if isinstance(texts, dict) else enumerate(texts)):
            f.write(json.dumps({"url": url(i), "text": text, "fetched": FETCHED.format(i + 1)}, ensure_ascii=False)
                    + "\n")


@pytest.fixture(scope="module")
def archives(tmp_path_factory, texts) -> Path:
    """feeds/notices.jsonl (text), feeds/notices.csv (link, html, crawled),
    feeds/renamed.json (fields a --field maps), feeds/site.warc.gz (pages, one in GBK)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    folder = tmp_path_factory.mktemp("archives")
    (folder / "jsonl").mkdir()
    write_jsonl(folder / "jsonl" / "notices.jsonl", texts)
    (folder / "csv").mkdir()
    with (folder / "csv" / "notices.csv").open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["link", "title", "html", "crawled"])
        for i, text in enumerate(texts):
            out.writerow([url(i), "", page(text), f"2025-03-0{i + 1} 08:30:00"])
    (folder / "json").mkdir()
    items = [{"链接": url(i), "正文": text, "date": "2024-01-01"} for i, text in enumerate(texts)]
    (folder / "json" / "renamed.json").write_text(json.dumps({"items": items}, ensure_ascii=False), encoding="utf-8")
    (folder / "warc").mkdir()
    with (folder / "warc" / "site.warc.gz").open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        writer.write_record(writer.create_warcinfo_record("site.warc.gz", {"software": "a crawler"}))

        def response(uri: str, status: str, ctype: str, body: bytes, day: int) -> None:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                uri, "response", payload=io.BytesIO(body), http_headers=headers,
                warc_headers_dict={"WARC-Date": f"2025-03-0{day}T08:30:00Z"}))

        for i, text in enumerate(texts):
            writer.write_record(writer.create_warc_record(url(i), "request", payload=io.BytesIO(
                f"GET /xcgz/2024/notice-{i}.html HTTP/1.1\r\n\r\n".encode())))
            if i == 1:  # a GB18030 page, its charset in the HTTP header only
                response(url(i), "200 OK", "text/html; charset=GBK",
                         page(text).replace("charset='utf-8'", "").encode("gb18030"), i + 1)
            else:
                response(url(i), "200 OK", "text/html; charset=utf-8", page(text).encode("utf-8"), i + 1)
        response("https://jw.example.gov.cn/missing.html", "404 Not Found", "text/html", b"<html>gone</html>", 9)
        response("https://jw.example.gov.cn/logo.png", "200 OK", "image/png", b"\x89PNG\r\n", 9)
    return folder


def shape(store: EmbeddedStore) -> tuple[dict, dict]:
    """Every node key but the notices' own (a notice's hash written as DOC), and the
    relationships per type: the graph of a corpus whatever its notices' bytes."""
    from kg.graph import model

    nodes, rels = {}, {}
    for label in model().nodes:
        if label not in ("Document", "Copy"):  # a Copy's key is its source's name
            keys = store.query(f"MATCH (n:{label}) RETURN n.key")[1]
            nodes[label] = sorted(re.sub(r"[0-9a-f]{64}", "DOC", k) for (k,) in keys)
    for rel in model().relationships:
        rels[rel] = store.query(f"MATCH ()-[r:{rel}]->() RETURN count(r)")[1][0][0]
    return nodes, rels


def build(paths: list[str], db: Path, fields: dict | None = None, **options):
    feeds.set_fields(fields or {})
    try:
        inputs = collect_inputs(paths)
        return build_store(inputs.sources, str(db), folders=[p for p in paths if Path(p).is_dir()], **options)
    finally:
        feeds.set_fields({})


@pytest.mark.parametrize("kind,fields", [("jsonl", None), ("csv", None), ("warc", None),
                                         ("json", {"text": "正文", "url": "链接"})])
def test_a_feed_or_an_archive_gives_the_seeds_graph_with_urls(archives, seed_store, tmp_path, kind, fields):
    store = EmbeddedStore(tmp_path / "s.kg")
    report = build([str(archives / kind)], store.path, fields)
    assert not report.failures and report.documents == 5
    assert shape(store) == shape(seed_store)
    docs = store.query("MATCH (d:Document) RETURN d.source, d.url, d.fetched ORDER BY d.url")[1]
    assert [d[1] for d in docs] == [url(i) for i in range(5)]
    assert all(source.startswith(f"{kind}/") and source.endswith("#" + u) for source, u, _ in docs)
    if kind == "csv":  # "2025-03-01 08:30:00" read as ISO 8601 (no zone given: none assumed)
        assert [d[2] for d in docs] == [f"2025-03-0{i + 1}T08:30:00" for i in range(5)]
    elif kind != "json":  # the JSON feed has no fetch time
        assert [d[2] for d in docs] == [FETCHED.format(i + 1) for i in range(5)]
    if fields:
        assert store.build_info()["fields"] == fields


def test_archived_pages_keep_their_charset_and_what_is_not_a_page_is_passed_over(archives, texts):
    items = feeds.items(str(archives / "warc" / "site.warc.gz"))
    assert [it.key for it in items] == [url(i) for i in range(5)]  # no request, 404 or image
    doc = read_source(f"{archives / 'warc' / 'site.warc.gz'}#{url(1)}")
    assert doc.encoding == "gb18030" and texts[1].splitlines()[1].strip() in doc.text
    assert doc.url == url(1) and doc.fetched == "2025-03-02T08:30:00+00:00"


def test_kg_extract_of_a_feed_gives_records_with_url(archives, tmp_path):
    import jsonschema

    out = tmp_path / "records.jsonl"
    result = run_kg("extract", str(archives / "json" / "renamed.json"), "--field", "text=正文",
                    "--field", "url=链接", "--out", str(out))
    assert result.returncode == 0, result.stderr.decode()
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["url"] for r in records] == [url(i) for i in range(5)]
    assert all(r["source"].endswith(f"renamed.json#{r['url']}") and r["fetched"] is None for r in records)
    schema = load_json("extraction.schema.json")
    for r in records:
        jsonschema.validate(r, schema)
    plain = run_kg("extract", str(archives / "json" / "renamed.json"))  # no field holds text by default names
    assert plain.returncode == 1 and "not a feed: no item has a text or html field" in plain.stderr.decode()
    assert run_kg("extract", str(archives / "jsonl"), "--field", "txt=body").stderr.decode().startswith(
        "kg: --field: unknown role txt")


def test_an_item_without_text_is_one_line_and_the_rest_is_built(texts, tmp_path):
    folder = tmp_path / "feed"
    folder.mkdir()
    write_jsonl(folder / "notices.jsonl", texts[:2])
    with (folder / "notices.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps({"url": "https://jw.example.gov.cn/list.html", "title": "巡察工作"}) + "\n")
        f.write("{not json\n")
    result = run_kg("build", str(folder), "--db", str(tmp_path / "s.kg"))
    assert result.returncode == 1
    errors = [line for line in result.stderr.decode().splitlines() if line.startswith("kg: ")]
    feed = folder / "notices.jsonl"
    assert errors == [
        f"kg: {feed}: line 3 (https://jw.example.gov.cn/list.html): no text field (text/body/content or html; "
        "name it with --field text=NAME)",
        f"kg: {feed}: line 4: not JSON (Expecting property name enclosed in double quotes at column 2)",
        "kg: 2 of 4 documents failed",
    ]
    assert EmbeddedStore(tmp_path / "s.kg").query("MATCH (d:Document) RETURN count(d)")[1] == [[2]]


def test_a_saved_page_keeps_the_url_its_browser_wrote(texts, tmp_path):
    saved = "https://jw.example.gov.cn/xcgz/2024/saved.html"
    body = page(texts[0])
    path = tmp_path / "saved.html"
    path.write_text(f"<!-- saved from url=({len(saved):04d}){saved} -->\n{body}", encoding="utf-8")
    assert read_source(str(path)).url == saved
    canonical = body.replace("<title>", "<link rel='canonical' href='/xcgz/2024/canonical.html'>"
                                        "<meta property='og:url' content='https://og.example.cn/a'><title>")
    assert read_bytes(canonical.encode(), html=True).url == "https://og.example.cn/a"  # a relative link has no base
    with_base = f"<!-- saved from url=(0030)https://jw.example.gov.cn/a.html -->{canonical}"
    assert read_bytes(with_base.encode(), html=True).url == "https://jw.example.gov.cn/a.html"
    hostile = body.replace("<title>", "<link rel=canonical href='javascript:alert(1)'><title>")
    assert read_bytes(hostile.encode(), html=True).url is None
    assert read_source(str(path)).fetched is None


def test_a_json_that_is_not_a_feed_is_passed_over_in_a_folder_and_refused_by_name(texts, tmp_path):
    folder = tmp_path / "notices"
    folder.mkdir()
    (folder / "a.txt").write_text(texts[0], encoding="utf-8")
    (folder / "stats.json").write_text('{"count": 3}', encoding="utf-8")
    (folder / "table.csv").write_text("name,count\n市妇联,3\n", encoding="utf-8")
    inputs = collect_inputs([str(folder)])
    assert inputs.sources == [str(folder / "a.txt")]
    assert inputs.skipped == [str(folder / "stats.json"), str(folder / "table.csv")]
    assert collect_inputs([str(folder / "stats.json")]).sources == [str(folder / "stats.json")]
    with pytest.raises(InputError, match="not a feed"):
        read_source(str(folder / "stats.json"))


def test_feed_items_added_edited_and_removed_are_rebuilt_incrementally(texts, tmp_path):
    """Touching the feed makes every item's file differ; their hashes (read through the
    cache) say which item was added, edited or removed, and only those are rebuilt."""
    folder = tmp_path / "feed"
    folder.mkdir()
    feed = folder / "notices.jsonl"
    write_jsonl(feed, texts[:4])
    store = tmp_path / "store.kg"
    build([str(folder)], store)
    edited = texts[0] + "\n"
    steps = [(dict(enumerate(texts)), (1, 0, 0, 4), 1),  # an item added at the end
             ({**dict(enumerate(texts)), 0: edited}, (0, 1, 0, 4), 1),  # one item's text edited
             ({0: edited, 2: texts[2], 3: texts[3], 4: texts[4]}, (0, 0, 1, 4), 0)]  # one removed: keys are URLs
    for n, (items, expected, extracted) in enumerate(steps):
        write_jsonl(feed, items)
        report = build([str(folder)], store)
        c = report.changes
        assert report.full_because is None and c is not None, report.full_because
        assert (len(c.added), len(c.changed), len(c.removed), c.unchanged) == expected
        assert report.extracted == extracted  # the unchanged items came from the cache
        full = tmp_path / f"full-{n}.kg"
        build([str(folder)], full)
        assert_same_graph(EmbeddedStore(store), EmbeddedStore(full))
    urls = EmbeddedStore(store).query("MATCH (d:Document) RETURN d.url ORDER BY d.url")[1]
    assert [u for (u,) in urls] == [url(i) for i in (0, 2, 3, 4)]


def test_explain_the_rdf_and_the_recurrence_page_give_the_url(archives, tmp_path):
    from kg.backends import rdf
    from kg.build import graph_from_paths
    from kg.viz.aggregate import aggregate

    db = tmp_path / "s.kg"
    build([str(archives / "warc")], db)
    result = run_kg("explain", "--db", str(db), "中国共产党党组工作条例", "--limit", "1")
    assert result.returncode == 0, result.stderr.decode()
    line = next(li for li in result.stdout.decode().splitlines() if "citations.title_marks" in li)
    assert re.search(r"warc/site\.warc\.gz#https://\S+:\d+-\d+ <https://jw\.example\.gov\.cn/\S+>", line), line
    assert "【《中国共产党党组工作条例》】" in line  # the sentence, read back from the archive
    citations = [c for reg in aggregate(EmbeddedStore(db)).regulations for c in reg.citations]
    assert citations and all(c.url and c.url.startswith(SITE[:30]) for c in citations)
    assert all(c.sentence != c.raw for c in citations)
    graph, _ = graph_from_paths(collect_inputs([str(archives / "warc")]).sources)
    out = io.StringIO()
    rdf.write(graph, "turtle", out)
    import rdflib

    g = rdflib.Graph().parse(data=out.getvalue(), format="turtle")
    schema_url = rdflib.URIRef("https://schema.org/url")
    notices = set(g.subjects(rdflib.RDF.type, rdflib.URIRef("https://w3id.org/kg-notices/vocab#Notice")))
    found = sorted(str(o) for s, o in g.subject_objects(schema_url) if s in notices)
    assert found == [url(i) for i in range(5)]
    copies = sorted(str(o) for s, o in g.subject_objects(schema_url) if s not in notices)
    assert copies == found  # each notice's one copy keeps its page too
    assert {o.datatype for o in g.objects(None, rdflib.URIRef("http://www.w3.org/ns/prov#generatedAtTime"))} == \
           {rdflib.XSD.dateTime}
    conforms, report = rdf.validate(g)
    assert conforms, report


def test_item_names_survive_corpus_naming_and_locating(tmp_path):
    from kg.corpus import corpus_of, locate

    folder = tmp_path / "crawl"
    folder.mkdir()
    source = f"{folder}/site.warc.gz#https://a.example.cn/x//y.html#2"
    corpus = corpus_of([source], [str(folder)])
    assert corpus.name(source) == "crawl/site.warc.gz#https://a.example.cn/x//y.html#2"
    assert locate(corpus.name(source), corpus.roots) == source
    assert feeds.split(source) == (f"{folder}/site.warc.gz", "https://a.example.cn/x//y.html#2")
    shutil.rmtree(folder)

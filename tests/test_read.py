"""Reading real notices in the encodings and shapes they arrive in."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from kg.errors import InputError
from kg.extract import extract
from kg.read import decode, iter_sources, read_bytes, read_source
from tests.conftest import seed
from tests.variants import as_web_page, encodable


def citations_of(doc):
    return [c["title"] for c in extract(doc)["citations"]]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_gbk_family_decoded_to_the_same_record(tmp_path, encoding):
    text = seed("000").read_text(encoding="utf-8")
    path = tmp_path / f"notice-{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    doc = read_source(str(path))
    assert doc.text == text
    assert doc.encoding in ("gb18030", "gbk", "gb2312")
    record = extract(doc)
    assert record["issuer"]["name"] == "中共湘潭市妇女联合会党组"
    assert len(record["citations"]) == 21


def test_big5_traditional_notice(tmp_path):
    text = encodable(seed("004").read_text(encoding="utf-8"), "big5")
    assert len(text) > 4500  # most of the notice survives in Big5
    path = tmp_path / "notice-big5.txt"
    path.write_bytes(text.encode("big5"))
    doc = read_source(str(path))
    assert doc.encoding == "big5"
    assert doc.text == text
    assert "中国共产党纪律处分条例" in citations_of(doc)


def test_utf8_bom_and_crlf(tmp_path):
    text = seed("002").read_text(encoding="utf-8")
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    doc = read_source(str(path))
    assert doc.encoding == "utf_8_sig"
    record = extract(doc)
    assert record["published"] == "2020-10-28"
    assert len(record["problems"]) == 38
    for c in record["citations"]:
        assert doc.text[c["span"][0] : c["span"][1]] == c["raw"]


def test_web_page_main_text_without_navigation(tmp_path):
    text = seed("000").read_text(encoding="utf-8")
    title = "中共湘潭市妇女联合会党组关于巡察整改进展情况的通报"
    path = tmp_path / "notice.html"
    path.write_text(as_web_page(text, title), encoding="utf-8")
    doc = read_source(str(path))
    assert doc.media_type == "text/html"
    assert "工作动态" not in doc.text and "备案号" not in doc.text and "menu" not in doc.text
    record = extract(doc)
    assert record["title"] == title
    assert record["inspection"]["team"] == "市委第三巡察组"
    assert record["inspection"]["committee"] == "湘潭市委"
    assert record["published"] == "2024-08-20"
    assert len(record["problems"]) == 35


@pytest.mark.parametrize(
    "data,reason",
    [
        (b"", "empty file"),
        (b"  \n\n", "empty file"),
        (b"%PDF-1.7\n\x00\x01\x02\xff\xfe binary", "binary content"),
        (bytes(range(256)) * 8, "binary content"),
    ],
)
def test_unreadable_content_is_one_clear_error(data, reason):
    with pytest.raises(InputError) as err:
        read_bytes(data, "bad.txt")
    assert str(err.value).startswith("bad.txt: ")
    assert reason in str(err.value)


def test_missing_file():
    with pytest.raises(InputError, match="no such file"):
        read_source("/nonexistent/notice.txt")


def test_permission_denied(tmp_path):
    """As root (CI runs as root) the check runs with the capabilities that bypass file
    modes dropped, through util-linux's setpriv."""
    path = tmp_path / "secret.txt"
    path.write_text("x")
    path.chmod(0)
    prefix = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: root reads files whatever their mode")
        prefix = [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]
    result = subprocess.run([*prefix, sys.executable, "-m", "kg", "extract", str(path), str(seed("000"))],
                            capture_output=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.decode().splitlines()[0] == f"kg: {path}: permission denied"
    assert len(result.stdout.decode().splitlines()) == 1  # the readable notice is still extracted


def test_folders_expand_recursively_in_sorted_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "b" / "c.html").write_text("x")
    (tmp_path / "b" / "ignored.pdf").write_text("x")
    (tmp_path / ".hidden.txt").write_text("x")
    got = list(iter_sources([str(tmp_path), "-"]))
    assert got == [str(tmp_path / "a.txt"), str(tmp_path / "b" / "c.html"), "-"]


def test_decode_prefers_utf8():
    assert decode("巡察整改".encode())[1] == "utf_8"

"""The shipped gazetteer (kg/data/divisions.json) is jionlp's, and answers as it did."""
from __future__ import annotations

from importlib import resources

from kg import gazetteer
from kg.data import divisions_from_jionlp


def test_shipped_divisions_are_what_the_script_makes_from_jionlp():
    shipped = resources.files("kg.data").joinpath("divisions.json").read_text(encoding="utf-8")
    assert shipped == divisions_from_jionlp.text(), "run: python -m kg.data.divisions_from_jionlp"


def test_divisions_are_placed_and_ambiguous_names_are_not_guessed():
    sangzhi = gazetteer.lookup("桑植县")
    assert (sangzhi.province, sangzhi.city, sangzhi.level) == ("湖南省", "张家界市", "county")
    assert gazetteer.lookup("湘潭").name == "湘潭市" and gazetteer.lookup("天津").level == "province"
    assert gazetteer.lookup("城中区") is None  # 西宁 and 柳州 both have one
    assert gazetteer.lookup("城中区", "青海省").city == "西宁市"
    assert gazetteer.most_specific("深圳市罗湖区纪委").name == "罗湖区"


def test_kg_runs_without_importing_jionlp():
    import subprocess
    import sys

    probe = ("import sys, kg.cli; from kg.extract import extract; from kg.read import read_bytes;"
             "extract(read_bytes('对湘潭市妇女联合会党组开展了巡察'.encode(), 'x.txt'));"
             "print('jionlp' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

"""kg serve in a real browser (selenium driving Debian's headless Chromium, the network
closed): search → regulation → organization → notice → the citing sentence marked in the
text, whose click says which fact and which rule; the screenshot is not blank."""
from __future__ import annotations

import os
import shutil
from collections import Counter
from urllib.parse import unquote

import pytest

pytest.importorskip("starlette", reason="kg serve needs its extra: pip install 'kg[serve]'")

from tests.serve_helpers import serving  # noqa: E402

REG = "中国共产党纪律处分条例"
ORG = "天津市妇女联合会"


def _missing(reason: str):
    if os.environ.get("KG_REQUIRE_BROWSER"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def browser(tmp_path):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ModuleNotFoundError:
        _missing("selenium is not installed (pip install '.[test]')")
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_exe = shutil.which("chromedriver")
    if exe is None or driver_exe is None:
        _missing("chromium and chromium-driver are not installed (Debian: apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = exe
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={tmp_path / 'profile'}", "--proxy-server=127.0.0.1:9", "--window-size=1400,1000"):
        options.add_argument(arg)  # a proxy that is not there: any request off this machine fails
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(driver_exe))
    driver.implicitly_wait(10)
    try:
        yield driver
    finally:
        driver.quit()


def test_search_regulation_organization_notice_and_the_marked_sentence(seed_store, browser, tmp_path):
    from PIL import Image
    from selenium.webdriver.common.by import By

    with serving(seed_store) as (base, _):
        browser.get(base + "/")
        box = browser.find_element(By.ID, "q")
        box.send_keys("紀律處分")  # traditional: read as simplified
        box.submit()
        browser.find_element(By.LINK_TEXT, REG).click()
        assert unquote(browser.current_url).endswith(f"/regulation/{REG}")
        assert browser.find_element(By.TAG_NAME, "h1").text == REG
        assert [h.text for h in browser.find_elements(By.TAG_NAME, "h2")][:2] == ["引用它的单位", "引用句"]
        browser.find_element(By.CSS_SELECTOR, "table.organizations").find_element(By.LINK_TEXT, ORG).click()
        assert browser.find_element(By.TAG_NAME, "h1").text == ORG
        browser.find_element(By.CSS_SELECTOR, "ul.notices a.notice").click()
        assert "/notice/" in browser.current_url
        marks = [m for m in browser.find_elements(By.CSS_SELECTOR, "mark.f-citation")
                 if "中國共產黨紀律處分條例" in m.text]
        assert marks, "the citing sentence's citation is marked in the text"
        assert "citations." in marks[0].get_attribute("title")  # hovering names the fact and its rule
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", marks[0])
        marks[0].click()
        chosen = browser.find_element(By.ID, "chosen")
        assert chosen.is_displayed()
        assert "法规" in chosen.text and REG in chosen.text and "citations." in chosen.text  # the label in Chinese
        assert "on" in marks[0].get_attribute("class").split()
        shot = tmp_path / "notice.png"
        browser.save_screenshot(str(shot))
        severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert not severe, severe  # no script error, nothing the page's policy refused, nothing fetched from elsewhere
    image = Image.open(shot).convert("RGB").resize((350, 250))
    colours = Counter({colour: n for n, colour in image.getcolors(maxcolors=350 * 250)})
    assert len(colours) > 50, "the screenshot is blank"
    assert colours.most_common(1)[0][1] < 0.9 * 350 * 250, "the screenshot is mostly one colour"
    assert any(r > 200 and g > 180 and b < 150 for r, g, b in colours), "no highlight colour in the screenshot"


def test_the_recurrence_picture_links_a_regulation_to_its_page(seed_store, browser):
    from selenium.webdriver.common.by import By

    with serving(seed_store) as (base, _):
        browser.get(base + "/")
        browser.find_element(By.CSS_SELECTOR, "nav a[href=\"/recurrence\"]").click()
        row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "tr.reg") if REG in r.text)
        row.find_element(By.CSS_SELECTOR, "td.label").click()
        browser.find_element(By.CSS_SELECTOR, "#panel a.kg-page").click()
        assert browser.find_element(By.TAG_NAME, "h1").text == REG
        assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]

#!/usr/bin/env python3
"""The README's pictures of kg serve: python docs/screenshots.py STORE (the seeds' store).
Needs the test extra (selenium) and Debian's chromium and chromium-driver."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

from kg.backends.embedded import EmbeddedStore  # noqa: E402
from tests.serve_helpers import serving  # noqa: E402


def main(db: str) -> None:
    store = EmbeddedStore(db)
    (doc,) = [k for k, s in store.query("MATCH (d:Document) RETURN d.key, d.source")[1] if "/000_" in s]
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={tempfile.mkdtemp()}", "--window-size=1400,900", "--proxy-server=127.0.0.1:9"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    try:
        with serving(store) as (base, _):
            driver.get(f"{base}/notice/{doc}")
            mark = next(m for m in driver.find_elements(By.CSS_SELECTOR, "mark.f-citation")
                        if "中国共产党党组工作条例" in m.text)
            driver.execute_script("window.scrollTo(0, arguments[0].getBoundingClientRect().top + scrollY - 300)", mark)
            mark.click()
            driver.save_screenshot(str(HERE / "serve-notice.png"))
            driver.get(f"{base}/regulation/{quote('中国共产党纪律处分条例')}")
            driver.save_screenshot(str(HERE / "serve-regulation.png"))
    finally:
        driver.quit()


if __name__ == "__main__":
    main(sys.argv[1])

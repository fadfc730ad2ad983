"""kg serve under test: uvicorn on a free port in a thread, asked by a real HTTP client."""
from __future__ import annotations

import contextlib
import socket
import threading
import time

import httpx
import uvicorn

from kg.serve.app import create_app

BAD_SCRIPT = "<script>alert(1)</script>"
BAD_IMG = '"><img src=x onerror=alert(1)>'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(store, curation: str | None = None, app=None):
    """(base URL, client) of kg serve over `store` (or of `app`, made by create_app), until
    the block ends; its connections are closed then, as the server's shutdown closes them."""
    port = free_port()
    app = app or create_app(store, curation)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("kg serve did not start")
        time.sleep(0.02)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            yield base, client
    finally:
        server.should_exit = True
        thread.join(10)


def hostile_notice(seed_text: str) -> str:
    """Seed 000 with a title line, a citation title and a sentence holding markup."""
    text = seed_text.replace("2.推动落实《“十四五”时期妇联事业发展规划》有差距。",
                             f"2.推动落实《{BAD_SCRIPT}管理办法》和《关于{BAD_IMG}的通知》有差距{BAD_IMG}。")
    assert text != seed_text
    return f"{HOSTILE_TITLE}\n" + text


# A title line with two ">" around one word reads as a breadcrumb (kg.extract.header), so the
# title holds the attribute-breaking one; the script is in a citation title and a sentence.
HOSTILE_TITLE = f"中共湘潭市妇女联合会党组关于{BAD_IMG}巡察整改进展情况的通报"

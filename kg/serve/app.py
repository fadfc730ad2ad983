"""kg serve's routes: each calls one function of kg.serve.pages and renders its data,
or returns it as JSON when the path ends in `.json` (Datasette's convention), or as CSV
for query results. Reads only; the one write, a curation decision, needs --curation and
the form's token.

Requests are answered at once, each in a thread of Starlette's pool with a connection of
a ReadPool (kg.backends.read_pool). A statement typed by a user (the Cypher box, a named
query) may be slow: such statements take at most all connections but one, so pages are
always answered, and each is interrupted after `query_seconds`."""
from __future__ import annotations

import contextlib
import csv
import hmac
import io
import json
import secrets
import threading
from importlib import resources
from urllib.parse import parse_qs, quote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from kg.backends.read_pool import Busy, ReadPool
from kg.errors import KgError
from kg.serve import pages
from kg.serve.pages import NotFound
from kg.serve.words import zh, zh_parts

HERE = resources.files("kg.serve")


def _split(path: str, formats: tuple[str, ...] = ("json",)) -> tuple[str, str]:
    """("key", "html" or one of `formats`) of a path parameter: KEY.json is KEY's JSON twin."""
    for fmt in formats:
        if path.endswith("." + fmt):
            return path[: -len(fmt) - 1], fmt
    return path, "html"


LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def allowed_hosts(host: str) -> list[str]:
    """The Host headers the app answers when listening on `host`: its own name and the
    loopback names; any when it listens on every address. A page of another site whose
    name was made to resolve to 127.0.0.1 (DNS rebinding) is refused."""
    return ["*"] if host in ("0.0.0.0", "::", "") else sorted({host, *LOOPBACK})


CONNECTIONS = 4  # sessions at once (kg serve --connections)
QUERY_SECONDS = 30  # a user's statement is interrupted after this (kg serve --query-seconds)


def create_app(store, curation: str | None = None, hosts: list[str] | None = None,
               connections: int = CONNECTIONS, query_seconds: float = QUERY_SECONDS) -> Starlette:
    """The web app over `store` (an EmbeddedStore); `curation`, a curation file the
    regulation and organization pages may append decisions to; `hosts`, the Host
    headers answered (allowed_hosts; the loopback names by default); `connections`
    (at least 2), the sessions answered at once; `query_seconds`, how long a statement
    typed by a user may run."""
    if connections < 2:
        raise ValueError("kg serve needs two connections or more: one is kept for pages")
    env = Environment(loader=FileSystemLoader(str(HERE.joinpath("templates"))),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["q"] = lambda s: quote(str(s), safe="")
    env.filters["zh"] = zh
    env.filters["zh_parts"] = zh_parts
    token = secrets.token_urlsafe(32)  # the CSRF token every form that writes carries
    env.globals.update(curation=curation, token=token)
    pool = ReadPool(store, connections)
    typed = threading.BoundedSemaphore(connections - 1)  # users' statements leave a connection to pages

    def respond(request: Request, template: str, data: dict, fmt: str, status: int = 200) -> Response:
        if fmt == "json":
            return JSONResponse(data, status_code=status)
        if fmt == "csv":
            return csv_response(data, status)
        twin = quote(request.url.path, safe="/") + ".json" + (f"?{request.url.query}" if request.url.query else "")
        html = env.get_template(template).render(page=data, request=request, json_href=twin)
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def failed(request: Request, fmt: str, title: str, error: str, status: int) -> Response:
        return respond(request, "error.html", {"title": title, "error": error}, fmt, status)

    def run(request: Request, template: str, fmt: str, make, user_statement: bool = False) -> Response:
        try:
            if user_statement:
                data = _typed(make)
            else:
                with pool.session():
                    data = make()
        except NotFound as e:
            return failed(request, fmt, "找不到", str(e), 404)
        except Busy:
            return failed(request, fmt, "服务器繁忙", "同时打开的页面和查询太多，请稍后再试", 503)
        except KgError as e:
            return failed(request, fmt, "出错了", str(e), 400)
        return respond(request, template, data, fmt, 400 if data.get("error") else 200)

    def _typed(make) -> dict:
        if not typed.acquire(timeout=pool.wait):
            raise Busy("every connection for users' statements stayed busy")
        try:
            with pool.session(timeout_ms=int(query_seconds * 1000)):
                data = make()
        finally:
            typed.release()
        if data.get("error") and "Interrupted" in data["error"]:  # LadybugDB's word for a timeout
            data["error"] = f"查询运行超过 {query_seconds:g} 秒，已中止（kg serve --query-seconds 可放宽）"
        return data

    # The home page counts whole tables (the most cited regulations, the organizations with
    # the most notices): made once for each build, which never changes, and first while
    # the server starts.
    homes: dict = {}
    making_home = threading.Lock()  # a request while it is being made waits for it, not makes it again

    def home_page() -> dict:
        build = store.current
        with making_home:
            if build not in homes:
                data = pages.home(store)
                homes.clear()
                homes[build] = data
            return homes[build]

    def warm() -> None:
        with contextlib.suppress(KgError), pool.session():
            home_page()

    def home(request: Request) -> Response:
        fmt = "json" if request.url.path == "/index.json" else "html"
        return run(request, "home.html", fmt, home_page)

    def search(request: Request) -> Response:
        fmt = "json" if request.url.path.endswith(".json") else "html"
        return run(request, "search.html", fmt, lambda: pages.search(store, request.query_params.get("q", "")))

    def page_of(template: str, function, paged: bool = False):
        def endpoint(request: Request) -> Response:
            key, fmt = _split(request.path_params["key"])
            if not paged:
                return run(request, template, fmt, lambda: function(store, key))
            return run(request, template, fmt, lambda: function(store, key, pages.offsets(request.query_params)))
        return endpoint

    def node(request: Request) -> Response:
        key, fmt = _split(request.path_params["key"])
        return run(request, "node.html", fmt, lambda: pages.node(store, request.path_params["label"], key))

    def queries(request: Request) -> Response:
        fmt = "json" if request.url.path.endswith(".json") else "html"
        return run(request, "queries.html", fmt, pages.queries)

    def named_query(request: Request) -> Response:
        name, fmt = _split(request.path_params["name"], ("json", "csv"))
        limit = pages.ROW_LIMIT if fmt == "html" else None  # the twins hold every row
        return run(request, "query.html", fmt,
                   lambda: pages.named_query(store, name, dict(request.query_params), limit), user_statement=True)

    def cypher(request: Request) -> Response:
        _, fmt = _split(request.url.path, ("json", "csv"))
        limit = pages.ROW_LIMIT if fmt == "html" else None
        return run(request, "cypher.html", fmt, lambda: pages.cypher(store, request.query_params.get("q", ""), limit),
                   user_statement=True)

    async def curate(request: Request) -> Response:
        from kg.serve.curate import decide

        fmt = "json" if request.url.path.endswith(".json") else "html"
        form = await _form(request)
        if form is None:
            return failed(request, fmt, "已拒绝", "人工校正的表单须以 URL 编码提交，且小于 64 kB", 400)
        if curation is None:
            return failed(request, fmt, "已拒绝", "kg serve 启动时没有给出 --curation FILE：不写入任何内容", 403)
        if not hmac.compare_digest((form.get("token") or [""])[0], token) or not _same_origin(request):
            return failed(request, fmt, "已拒绝", "这份表单不是本服务器生成的（缺少令牌或令牌不对）；请重新加载页面", 403)
        return await run_in_threadpool(run, request, "curated.html", fmt, lambda: decide(store, curation, form))

    def recurrence(request: Request) -> Response:
        from kg.serve.pictures import recurrence_data, recurrence_page

        if request.url.path.endswith(".json"):
            return run(request, "error.html", "json", lambda: recurrence_data(store))
        try:
            with pool.session():
                return HTMLResponse(recurrence_page(store), headers=PICTURE_HEADERS)
        except Busy:
            return failed(request, "html", "服务器繁忙", "同时打开的页面和查询太多，请稍后再试", 503)
        except KgError as e:
            return failed(request, "html", "反复引用的法规", str(e), 404)

    def favicon(request: Request) -> Response:  # what a browser asks for on a page that names none
        return Response(HERE.joinpath("static", "favicon.svg").read_bytes(), media_type="image/svg+xml")

    routes = [
        Route("/favicon.ico", favicon),
        Route("/", home), Route("/index.json", home),
        Route("/search", search), Route("/search.json", search),
        Route("/notice/{key:path}", page_of("notice.html", pages.notice)),
        Route("/regulation/{key:path}", page_of("regulation.html", pages.regulation, paged=True)),
        Route("/organization/{key:path}", page_of("organization.html", pages.organization, paged=True)),
        Route("/node/{label}/{key:path}", node),
        Route("/queries", queries), Route("/queries.json", queries),
        Route("/query/{name}", named_query),
        Route("/cypher", cypher), Route("/cypher.json", cypher), Route("/cypher.csv", cypher),
        Route("/curate", curate, methods=["POST"]), Route("/curate.json", curate, methods=["POST"]),
        Route("/recurrence", recurrence), Route("/recurrence.json", recurrence),
        Mount("/static", app=StaticFiles(directory=str(HERE.joinpath("static"))), name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app):
        threading.Thread(target=warm, daemon=True).start()  # opens the database, makes the home page
        yield
        pool.close()  # the database is closed when the server stops

    app = Starlette(routes=routes, lifespan=lifespan, middleware=[
        Middleware(TrustedHostMiddleware, allowed_hosts=hosts or allowed_hosts("127.0.0.1"))])
    app.state.pool = pool
    return app


# Pages load only what the package ships: no script from elsewhere, no inline script.
SECURITY_HEADERS = {"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                                               "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
                    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
# The recurrence picture is one self-contained page (kg viz recurrence): its scripts are inline.
PICTURE_HEADERS = {"Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                                              "style-src 'self' 'unsafe-inline'; img-src 'self' data:",
                   "X-Content-Type-Options": "nosniff"}


FORM_LIMIT = 64 * 1024


async def _form(request: Request) -> dict[str, list[str]] | None:
    """The fields of a url-encoded form (what the pages' forms post), or None."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_LIMIT:
            return None
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)


def _same_origin(request: Request) -> bool:
    """A post whose Origin (browsers send one) names another site is refused."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host")


def csv_response(data: dict, status: int = 200) -> Response:
    if data.get("error"):
        return Response(data["error"] + "\n", status_code=400, media_type="text/plain; charset=utf-8")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(data.get("columns") or [])
    for row in data.get("rows") or []:
        writer.writerow([json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for v in row])
    name = data.get("name") or "result"
    return Response(out.getvalue(), status_code=status, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})

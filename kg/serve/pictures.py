"""Pictures of kg viz served as pages: the recurrence page (kg viz recurrence), with a link
from the regulation selected in it to its page."""
from __future__ import annotations

from kg.errors import KgError

LINKS = '<script src="/static/recurrence-links.js"></script>\n</body>'


def _aggregate(store, **options):
    from kg.viz.aggregate import aggregate

    data = aggregate(store, **options)
    if not data.regulations:
        raise KgError("还没有被两个或更多单位引用的法规：没有反复引用可画")
    return data


def recurrence_data(store, **options) -> dict:
    """What the recurrence page draws (kg.viz.aggregate), as its JSON twin gives it."""
    data = _aggregate(store, **options)
    return {"by": data.by, "groups": data.groups, "organizations": data.organizations, "recurring": data.recurring,
            "options": data.options,
            "regulations": [{"key": r.key, "title": r.title, "kind": r.kind, "organizations": r.organizations,
                             "by_group": dict(r.by_group), "citing": r.citing,
                             "citations": [vars(c) for c in r.citations]} for r in data.regulations]}


def recurrence_page(store, **options) -> str:
    """kg viz recurrence's page for `store`, each selected regulation linked to its page."""
    from kg.viz import recurrence

    page = recurrence.html(_aggregate(store, **options))
    return page.replace("</body>", LINKS, 1) if "</body>" in page else page + LINKS

"""Pictures of kg viz served as pages: the recurrence page (kg viz recurrence), with a link
from the regulation selected in it to its page."""
from __future__ import annotations

from kg.errors import KgError

LINKS = '<script src="/static/recurrence-links.js"></script>\n</body>'


def recurrence_page(store, **options) -> str:
    """kg viz recurrence's page for `store`, each selected regulation linked to its page."""
    from kg.viz import recurrence
    from kg.viz.aggregate import aggregate

    data = aggregate(store, **options)
    if not data.regulations:
        raise KgError("no regulation is cited by two or more organizations: nothing recurs to draw")
    page = recurrence.html(data)
    return page.replace("</body>", LINKS, 1) if "</body>" in page else page + LINKS

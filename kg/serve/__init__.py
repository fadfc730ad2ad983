"""kg serve: a read-only web face of a store, thin like the CLI.

kg/serve/pages.py has one function per page, returning plain data (what the page's
`.json` twin returns as it is); kg/serve/app.py routes URLs to them and renders the
same data with the templates in kg/serve/templates (Jinja2, autoescaped).
"""

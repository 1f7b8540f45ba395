"""Reports people read, rendered from Jinja2 templates kept in ``reports/templates/``.

- ``site``: the per-run pages (``reports/<run>/index.html``) and ``reports/index.html``;
- ``access``: one customer's access report under ``reports/access/`` (protected);
- ``deadlines``: the deletion deadline table shared by the pages, the audit and the
  ``privacy_requests`` deadline check;
- ``render`` / ``charts``: the templates' data and server-side SVG charts.

No Airflow import; pages load nothing from the network.
"""

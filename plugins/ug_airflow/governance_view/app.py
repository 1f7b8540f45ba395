"""The governance view: a FastAPI app the Airflow api-server serves under ``/governance/``.

Only for a logged-in Airflow user: the JWT Airflow issues, as an ``Authorization: Bearer`` header
(the REST API's way) or the UI's session cookie ``_token`` (a browser that logged in to the UI),
validated by Airflow's own auth manager, who must also be allowed to use the website
(``AccessView.WEBSITE``: viewer and above). What a DAG's runs hold is shown only to a user the auth
manager lets read that DAG's runs (``DagAccessEntity.RUN``): the per-DAG roles of ``ug_airflow.roles``
hold here as in the rest of Airflow. Anonymous: 401, or, for a browser asking for a page,
a redirect to Airflow's login page that comes back here.

    GET /governance/                      the page (server-rendered HTML)
    GET /governance/snapshot.json         the same content as JSON
    GET /governance/reports/<run>/...     a run's page, gate result or Data Docs from the lake

Settings come from the api-server's environment (``UG_DATA_ROOT``, ``UG_DATABASE_URL``, ...), as
every Airflow component of the deployment has them.
"""

from __future__ import annotations

import asyncio
import functools
import mimetypes
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

TEMPLATES = Path(__file__).resolve().parent / "templates"
# A report file is served from the api-server's origin: the Data Docs load scripts from CDNs. In a
# sandbox without allow-same-origin the document has an origin of its own, so no script in it sends
# the user's Airflow session to the REST API or reads it; its own scripts and links still work.
REPORT_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "sandbox allow-scripts allow-popups allow-popups-to-escape-sandbox",
    "X-Content-Type-Options": "nosniff",
}
URL_PREFIX = "/governance"


class LoginRequired(Exception):
    """No valid Airflow credential on the request."""

    def __init__(self, detail: str, status_code: int = status.HTTP_401_UNAUTHORIZED):
        super().__init__(detail)
        self.detail = detail
        self.status_code = status_code


def _token(request: Request) -> str | None:
    from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN

    header = request.headers.get("authorization") or ""
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()  # an explicit credential wins over the ambient cookie, as in Airflow
    return request.cookies.get(COOKIE_NAME_JWT_TOKEN)


async def require_user(request: Request) -> Any:
    """The Airflow user of the request, validated by the auth manager; ``LoginRequired`` otherwise."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import AccessView
    from airflow.api_fastapi.core_api.security import resolve_user_from_token

    token = _token(request)
    if not token:
        raise LoginRequired(
            "Not authenticated: log in to Airflow (session cookie) or send its JWT as a bearer token"
        )
    try:
        user = await resolve_user_from_token(token)
    except HTTPException as exc:
        raise LoginRequired(str(exc.detail)) from exc
    if not get_auth_manager().is_authorized_view(access_view=AccessView.WEBSITE, user=user):
        raise LoginRequired("This Airflow user may not use the website", status.HTTP_403_FORBIDDEN)
    return user


User = Annotated[Any, Depends(require_user)]


def _wants_html(request: Request) -> bool:
    return "text/html" in (request.headers.get("accept") or "")


def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)  # fmt: skip
    env.filters["num"] = lambda v: "—" if v in (None, "") else (f"{v:,}" if isinstance(v, int) else str(v))
    env.filters["when"] = _when
    return env


def _when(value: Any) -> str:
    if value in (None, ""):
        return "—"
    try:
        instant = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if instant.tzinfo is not None:
        instant = instant.astimezone(UTC)
    return instant.strftime("%Y-%m-%d %H:%M UTC")


def dag_reader(user: Any) -> Callable[[str], bool]:
    """Whether ``user`` may read a DAG's runs, asked of Airflow's auth manager once per DAG."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails

    manager = get_auth_manager()

    @functools.cache
    def may_read(dag_id: str) -> bool:
        return bool(
            manager.is_authorized_dag(
                method="GET", access_entity=DagAccessEntity.RUN, details=DagDetails(id=dag_id), user=user
            )
        )

    return may_read


def _snapshot(may_read: Callable[[str], bool]) -> dict:
    from ug_airflow.governance_view.data import governance_snapshot
    from utterance_governance.settings import load_settings

    return governance_snapshot(load_settings(pseudonym_key=False), datetime.now(UTC), may_read)


def create_app() -> FastAPI:
    app = FastAPI(
        title="Utterance governance",
        description="The governance picture of the published dataset, for logged-in Airflow users.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    env = _environment()

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        if exc.status_code == status.HTTP_401_UNAUTHORIZED and _wants_html(request):
            from airflow.api_fastapi.app import get_auth_manager

            login = get_auth_manager().get_url_login(next_url=request.url.path or URL_PREFIX + "/")
            return RedirectResponse(login, status_code=status.HTTP_303_SEE_OTHER)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                            headers={"WWW-Authenticate": "Bearer"})  # fmt: skip

    @app.get("/", response_class=HTMLResponse, name="page")
    async def page(request: Request, user: User) -> HTMLResponse:
        snapshot = await asyncio.to_thread(_snapshot, dag_reader(user))

        def report_url(path: str) -> str:
            return str(request.url_for("report_file", path=path.removeprefix("reports/")))

        html = env.get_template("governance.html.j2").render(
            **snapshot, user=getattr(user, "get_name", lambda: "")(), report_url=report_url
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    @app.get("/snapshot.json", name="snapshot")
    async def snapshot_json(user: User) -> JSONResponse:
        return JSONResponse(
            await asyncio.to_thread(_snapshot, dag_reader(user)), headers={"Cache-Control": "no-store"}
        )

    @app.get("/reports/{path:path}", name="report_file")
    async def report_file(path: str, user: User) -> Response:
        from ug_airflow.governance_view.data import may_serve, servable
        from utterance_governance.io.storage import PathRefused, Storage
        from utterance_governance.settings import load_settings

        rel = f"reports/{path}"
        if not servable(rel):
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not a run's page, gate result or Data Docs")
        settings = load_settings(pseudonym_key=False)
        if not await asyncio.to_thread(may_serve, settings, rel, dag_reader(user)):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "your Airflow role may not read this run's DAG")
        storage = Storage(settings.data_root)
        try:
            if not await asyncio.to_thread(storage.exists, rel):
                raise HTTPException(status.HTTP_404_NOT_FOUND, "no such report file")
            data = await asyncio.to_thread(storage.read_bytes, rel)
        except PathRefused as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such report file") from exc
        if rel.endswith(".json"):  # the gate's and the audit's results name rows by utterance id
            from ug_airflow.governance_view.data import without_row_ids

            data = without_row_ids(data)
        elif rel.endswith((".html", ".htm")):  # so do the pages made of them (the audit's, the Data Docs)
            from ug_airflow.governance_view.data import html_without_row_ids

            data = await asyncio.to_thread(html_without_row_ids, storage, rel, data)
            if data is None:
                raise HTTPException(
                    status.HTTP_404_NOT_FOUND, "this run's page cannot be shown without its row ids"
                )
        media = mimetypes.guess_type(rel)[0] or "application/octet-stream"
        return Response(data, media_type=media, headers=REPORT_HEADERS)

    return app

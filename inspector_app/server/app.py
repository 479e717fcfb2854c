"""The FastAPI app: every route under /v1, every foreseeable failure a 4xx `Problem`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from inspector_app import __version__
from inspector_app.domain.sync import (
    MAX_PULL_PAGE,
    SCHEMA_HEADER,
    BlobHashes,
    Enrolled,
    EnrollRequest,
    Hello,
    Me,
    MissingBlobs,
    Problem,
    PullResponse,
    PushRequest,
    PushResponse,
    UploadState,
)

from . import audit_heads, auth, blobs, users
from .bundles import MAX_BUNDLE_BYTES, import_bundle
from .limits import BodyLimit
from .migrate import open_storage
from .problems import ProblemError
from .pull import DEFAULT_PAGE, pull
from .push import push
from .schema import check_schema, hello

log = logging.getLogger(__name__)

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem} for code in (400, 401, 403, 404, 409, 413, 422, 426)
}
_bearer = HTTPBearer(auto_error=False, description="the device token from POST /v1/enroll")
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
SchemaHeader = Annotated[int | None, Header(alias=SCHEMA_HEADER)]


def _caller(roles: frozenset[str], what: str) -> Callable[..., auth.Caller]:
    def dependency(request: Request, credentials: Bearer) -> auth.Caller:
        header = f"Bearer {credentials.credentials}" if credentials else None
        return auth.require(auth.authenticate(request.app.state.engine, header), roles, what)

    return dependency


AnyRole = Annotated[auth.Caller, Depends(_caller(auth.READERS | auth.ADMINS, "sync"))]
Writer = Annotated[auth.Caller, Depends(_caller(auth.WRITERS, "write records"))]
Reader = Annotated[auth.Caller, Depends(_caller(auth.READERS, "read records"))]
Admin = Annotated[auth.Caller, Depends(_caller(auth.ADMINS, "manage users"))]


def _query_names(dependant: Any) -> Iterator[str]:
    """The query parameters a route declares, its dependencies' included."""
    yield from (p.alias for p in dependant.query_params)
    for sub in dependant.dependencies:
        yield from _query_names(sub)


def _known_query_only(request: Request) -> None:
    """An unknown query parameter (a typo such as `afer=5`) is a 422 naming it, not
    silently ignored: a client would otherwise read from the wrong place unawares."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None or not request.query_params:
        return
    known = set(_query_names(dependant))
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise RequestValidationError([{
            "type": "extra_forbidden", "loc": ("query", unknown[0]),
            "msg": "unknown query parameter", "input": request.query_params[unknown[0]],
        }])  # fmt: skip


def create_app(db_url: str) -> FastAPI:
    """The service over the database at `db_url` (migrated to the newest schema)."""
    engine = open_storage(db_url)
    app = FastAPI(
        title="Inspector sync service",
        version=__version__,
        openapi_url="/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine = engine
    app.add_middleware(BodyLimit, larger={"/v1/bundles": MAX_BUNDLE_BYTES})
    _handlers(app)
    app.include_router(_routes(engine))
    return app


def _routes(engine: Engine) -> APIRouter:  # noqa: C901  (one flat list of routes)
    router = APIRouter(prefix="/v1", responses=_ERRORS, dependencies=[Depends(_known_query_only)])

    @router.get("/hello", response_model=Hello)
    def get_hello(schema: SchemaHeader = None) -> Hello:
        return hello(schema)

    @router.post("/enroll", response_model=Enrolled)
    def post_enroll(request: EnrollRequest) -> Enrolled:
        return auth.enroll(engine, request)

    @router.get("/me", response_model=Me)
    def get_me(caller: AnyRole) -> Me:
        return Me(
            user=caller.user, role=caller.role, field_office=caller.field_office,
            device_id=caller.device_id,
        )  # fmt: skip

    @router.post("/push", response_model=PushResponse)
    def post_push(body: PushRequest, caller: Writer, schema: SchemaHeader = None) -> PushResponse:
        check_schema(schema)
        return push(engine, caller, body.changes)

    @router.get("/pull", response_model=PullResponse)
    def get_pull(
        caller: Reader,
        after: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PULL_PAGE)] = DEFAULT_PAGE,
    ) -> PullResponse:
        return pull(engine, caller, after, limit)

    @router.post("/blobs/missing", response_model=MissingBlobs)
    def post_missing(body: BlobHashes, caller: Writer) -> MissingBlobs:
        return blobs.missing(engine, body.hashes)

    @router.get("/blobs/{sha256}/upload", response_model=UploadState)
    def get_upload(sha256: str, caller: Writer) -> UploadState:
        return blobs.upload_state(engine, sha256)

    @router.put(
        "/blobs/{sha256}",
        response_model=UploadState,
        openapi_extra={
            "requestBody": {
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                }
            }
        },
    )
    async def put_blob(
        sha256: str,
        request: Request,
        caller: Writer,
        offset: Annotated[int, Query(ge=0)],
        size: Annotated[int, Query(ge=0)],
        schema: SchemaHeader = None,
    ) -> UploadState:
        check_schema(schema)
        blobs.check_hash(sha256)
        data = await request.body()
        return await run_in_threadpool(blobs.put_chunk, engine, sha256, offset, size, data)

    @router.get(
        "/blobs/{sha256}",
        response_class=StreamingResponse,
        responses={200: {"content": {"application/octet-stream": {}}}},
    )
    def get_blob(sha256: str, caller: Reader) -> StreamingResponse:
        size, offsets = blobs.open_download(engine, caller, sha256)
        return StreamingResponse(
            blobs.stream(engine, sha256, offsets),
            media_type="application/octet-stream",
            headers={"Content-Length": str(size)},
        )

    @router.post(
        "/bundles",
        response_model=PushResponse,
        openapi_extra={
            "requestBody": {
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                }
            }
        },
    )
    async def post_bundle(request: Request, caller: Writer) -> PushResponse:
        data = await request.body()
        return await run_in_threadpool(import_bundle, engine, caller, data)

    @router.post("/audit-heads", response_model=audit_heads.AuditHeadAccepted)
    def post_audit_head(
        body: audit_heads.AuditHead, caller: Writer
    ) -> audit_heads.AuditHeadAccepted:
        return audit_heads.record_head(engine, caller, body)

    @router.get("/users", response_model=list[users.UserInfo])
    def get_users(caller: Admin) -> list[users.UserInfo]:
        return users.list_users(engine)

    @router.post("/users", response_model=users.UserAdded)
    def post_users(body: users.NewUser, caller: Admin) -> users.UserAdded:
        return users.add_user(engine, body)

    @router.post("/users/{name}/disable", response_model=users.UserInfo)
    def post_disable(name: str, caller: Admin) -> users.UserInfo:
        return users.disable_user(engine, name)

    @router.post("/users/{name}/token", response_model=users.EnrollmentToken)
    def post_token(name: str, caller: Admin) -> users.EnrollmentToken:
        return users.enrollment_token(engine, name)

    return router


def _problem(status: int, detail: str, code: str = "") -> JSONResponse:
    return JSONResponse(Problem(detail=detail, code=code).model_dump(), status_code=status)


def _where(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def on_problem(_request: Request, exc: ProblemError) -> JSONResponse:
        return _problem(exc.status, exc.detail, exc.code)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        first: dict[str, Any] = dict(errors[0]) if errors else {}
        if first.get("type") == "json_invalid":
            why = dict(first.get("ctx") or {}).get("error", "")
            return _problem(400, f"malformed JSON: {why}", "malformed")
        detail = f"{_where(tuple(first.get('loc') or ()))}: {first.get('msg', 'invalid request')}"
        return _problem(422, detail, "invalid")

    @app.exception_handler(StarletteHTTPException)
    async def on_http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        cause = exc.__cause__
        if isinstance(cause, ProblemError):  # FastAPI wraps what failed while reading the body
            return _problem(cause.status, cause.detail, cause.code)
        status = exc.status_code if 400 <= exc.status_code < 600 else 400
        return _problem(status, str(exc.detail), "http")

    @app.exception_handler(OperationalError)
    async def on_database(_request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable: %s", exc)
        return _problem(503, "the server's database is unavailable; try again later", "database")

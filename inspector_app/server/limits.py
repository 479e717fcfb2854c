"""Request bodies larger than MAX_BODY_BYTES get 413, by Content-Length and as they stream."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inspector_app.domain.sync import MAX_BODY_BYTES, Problem

from .problems import ProblemError


def too_large(limit: int) -> ProblemError:
    return ProblemError(413, f"the request body is larger than {limit} bytes", "too_large")


async def send_problem(send: Send, error: ProblemError) -> None:
    body = Problem(detail=error.detail, code=error.code).model_dump_json().encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """MAX_BODY_BYTES for every request, except paths given a larger limit (bundles)."""

    def __init__(
        self, app: ASGIApp, limit: int = MAX_BODY_BYTES, larger: dict[str, int] | None = None
    ) -> None:
        self.app, self.default, self.larger = app, limit, dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope.get("path", ""), self.default)  # per request
        refused = _refuse(_content_length(scope), limit)
        if refused is not None:
            await send_problem(send, refused)
            return
        state: dict[str, Any] = {"received": 0, "started": False}

        async def limited() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    raise too_large(limit)
            return message

        async def tracked(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, limited, tracked)
        except ProblemError as exc:
            if state["started"]:
                raise
            await send_problem(send, exc)


def _refuse(declared: int | None, limit: int) -> ProblemError | None:
    if declared == -1:
        return ProblemError(400, "a malformed Content-Length", "malformed")
    if declared is not None and declared > limit:
        return too_large(limit)
    return None


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else -1
    return None

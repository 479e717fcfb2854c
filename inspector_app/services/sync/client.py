"""The HTTP side: an httpx client for the central service's /v1 (docs/sync.md).

Every request carries the device token and the laptop's schema position; connection
failures and 5xx answers are retried with backoff (1, 2, 4 s); every other non-2xx
answer becomes one line (SyncError) from the server's Problem.detail."""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from inspector_app.domain.sync import SCHEMA_HEADER, Problem
from inspector_app.store.database import head_revision, schema_position

from .types import CancelledFn, SyncCancelled, SyncError

M = TypeVar("M", bound=BaseModel)
BACKOFF = (1.0, 2.0, 4.0)
TIMEOUT = httpx.Timeout(60.0, connect=10.0)


def laptop_schema() -> int:
    return schema_position(head_revision())


def _detail(response: httpx.Response) -> str:
    try:
        return Problem.model_validate(response.json()).detail
    except (ValueError, ValidationError):
        text = response.text.strip().splitlines()
        return text[0][:200] if text else response.reason_phrase


def _cert_problem(exc: BaseException) -> str | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen.verify_message or str(seen)
        if "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return "certificate verify failed"
        seen = seen.__cause__ or seen.__context__
    return None


class SyncClient:
    """One sync's connection to the server (close() when done)."""

    def __init__(self, server: str, token: str = "", *, cancelled: CancelledFn | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 transport: httpx.BaseTransport | None = None,
                 unreachable_note: Callable[[], str] = lambda: "") -> None:  # fmt: skip
        self.server = server.rstrip("/")
        self._cancelled = cancelled or (lambda: False)
        self._sleep = sleep
        self.unreachable_note = unreachable_note
        headers = {SCHEMA_HEADER: str(laptop_schema())}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.http = httpx.Client(base_url=self.server, headers=headers, timeout=TIMEOUT,
                                 verify=True, transport=transport)  # fmt: skip

    def close(self) -> None:
        self.http.close()

    def check_cancelled(self) -> None:
        if self._cancelled():
            raise SyncCancelled("sync cancelled; what the server acknowledged is kept")

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The answer to one request (2xx), retried on connection failures and 5xx."""
        last = ""
        for attempt in range(len(BACKOFF) + 1):
            self.check_cancelled()
            if attempt:
                self._sleep(BACKOFF[attempt - 1])
                self.check_cancelled()
            try:
                response = self.http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                cert = _cert_problem(exc)
                if cert is not None:
                    raise SyncError(f"{self.server}: the server's certificate does not "
                                    f"verify ({cert}); if your agency runs its own "
                                    "certificate authority, set SSL_CERT_FILE to its "
                                    "certificate") from None  # fmt: skip
                last = str(exc) or type(exc).__name__
                continue
            if response.status_code >= 500:
                last = f"HTTP {response.status_code} {_detail(response)}"
                continue
            if response.status_code >= 400:
                raise SyncError(self._refusal(response))
            return response
        note = self.unreachable_note()
        tries = len(BACKOFF) + 1
        raise SyncError(f"server unreachable: {self.server}: {last} ({tries} tries over "
                        f"{sum(BACKOFF):g} s){'; ' + note if note else ''}")  # fmt: skip

    def _refusal(self, response: httpx.Response) -> str:
        detail = _detail(response)
        if response.status_code == 401:
            return f"{self.server} refused this laptop: {detail}"
        return f"{self.server}: {detail}"

    def get(self, path: str, model: type[M], **kwargs: Any) -> M:
        return self._parse(self.request("GET", path, **kwargs), model)

    def post(self, path: str, body: BaseModel, model: type[M]) -> M:
        data = body.model_dump_json().encode()
        response = self.request("POST", path, content=data,
                                headers={"Content-Type": "application/json"})  # fmt: skip
        return self._parse(response, model)

    def _parse(self, response: httpx.Response, model: type[M]) -> M:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise SyncError(f"{self.server}: unexpected answer to {response.request.url.path} "
                            f"({exc.error_count()} problems); is this an Inspector server?"
                            ) from None  # fmt: skip

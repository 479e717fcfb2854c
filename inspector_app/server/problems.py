"""The service's foreseeable failures: each is a 4xx `Problem` answer."""

from __future__ import annotations


class ProblemError(Exception):
    """An answer with a 4xx status and a one-line `detail`."""

    def __init__(self, status: int, detail: str, code: str = "") -> None:
        super().__init__(detail)
        self.status, self.detail, self.code = status, detail, code


def bad_request(detail: str, code: str = "malformed") -> ProblemError:
    return ProblemError(400, detail, code)


def unauthorized(detail: str = "no valid device token (enroll this laptop)") -> ProblemError:
    return ProblemError(401, detail, "unauthorized")


def forbidden(detail: str) -> ProblemError:
    return ProblemError(403, detail, "forbidden")


def not_found(detail: str) -> ProblemError:
    return ProblemError(404, detail, "not_found")


def conflict(detail: str, code: str = "conflict") -> ProblemError:
    return ProblemError(409, detail, code)


def invalid(detail: str, code: str = "invalid") -> ProblemError:
    return ProblemError(422, detail, code)

"""Errors a user can act on. str() is one line that names the field or record."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every refusal a service makes on purpose."""


class NotFound(ServiceError):
    def __init__(self, entity: str, ident: str):
        self.entity, self.ident = entity, ident
        super().__init__(f"no {entity} with id {ident!r}")


class Invalid(ServiceError):
    """A value the user gave is wrong; `field` names it so a form can show it beside it."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}")


class ReviewLocked(ServiceError):
    def __init__(self, review_id: str):
        self.review_id = review_id
        super().__init__(
            f"review {review_id[:8]} is final and locked; record an amendment with a reason to change it"
        )


class Conflict(ServiceError):
    """The action does not fit the record's current state."""

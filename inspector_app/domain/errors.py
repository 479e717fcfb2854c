"""The one base of every error a user can cause or fix.

Anything that is a `KnownError` is shown as its message (one line, or one line per
problem) and never as a traceback; anything else is a bug: it is logged and reported
as one (qutebrowser and Anki draw the same line). It lives in the lowest layer so
the store, services, reports, CLI and UI can all raise and catch it.
"""

from __future__ import annotations


class KnownError(Exception):
    """A condition the user caused or can act on. str() is the message to show."""


class FormVersionMissing(KnownError, LookupError):
    """A record uses a form version this copy of Inspector does not ship.

    Happens once records sync from a laptop with newer forms: the record is fine, this
    app is too old to show it.
    """

    def __init__(self, form_id: str, version: int, *, known: list[int], record: str = ""):
        self.form_id, self.version, self.known = form_id, version, list(known)
        has = (
            f"it has {', '.join(f'v{v}' for v in self.known)}"
            if self.known
            else "it has no form of that id"
        )
        who = f"{record} uses" if record else "this record uses"
        super().__init__(
            f"{who} form {form_id} v{version}, which this Inspector does not have ({has}); "
            "update the app to open it"
        )

"""The loaded forms, every version of each, and where the shipped forms live."""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterable
from pathlib import Path

from inspector_app.domain.enums import IntervieweeRole, ProgramModel, ReviewKind
from inspector_app.domain.errors import FormVersionMissing

from .check import FormError, check_directory, load_topics
from .schema import TOPICS_FILE, FormDefinition, FormKind


class FormRegistry:
    """The loaded forms, every version of each."""

    def __init__(self, forms: Iterable[FormDefinition], topics: dict[str, str] | None = None):
        self._forms: dict[tuple[str, int], FormDefinition] = {}
        for form in forms:
            if (form.id, form.version) in self._forms:
                raise ValueError(f"form {form.ref} given twice")
            self._forms[(form.id, form.version)] = form
        self._topics = dict(topics or {})

    @classmethod
    def load(cls, directory: Path | None = None) -> FormRegistry:
        """Load every form in ``directory`` (default: default_forms_dir()); raises FormError."""
        topics, forms, problems = check_directory(
            default_forms_dir() if directory is None else Path(directory)
        )
        if problems:
            raise FormError(problems)
        return cls(forms, topics)

    @property
    def topics(self) -> dict[str, str]:
        return dict(self._topics)

    def get(self, form_id: str, version: int, *, record: str = "") -> FormDefinition:
        """The form ``form_id`` at ``version``; ``record`` names who asks, for the message.

        Raises FormVersionMissing (a known error, not a bug): records synced from a
        laptop with newer forms name versions this app does not ship.
        """
        try:
            return self._forms[(form_id, version)]
        except KeyError:
            known = sorted(v for i, v in self._forms if i == form_id)
            raise FormVersionMissing(form_id, version, known=known, record=record) from None

    def latest(self, form_id: str) -> FormDefinition:
        versions = [form for (i, _), form in self._forms.items() if i == form_id]
        if not versions:
            known = ", ".join(sorted({i for i, _ in self._forms})) or "none"
            raise KeyError(f"no form {form_id!r} (known forms: {known})")
        return max(versions, key=lambda f: f.version)

    def all(self) -> list[FormDefinition]:
        """Every form and version, ordered by id then version."""
        return [self._forms[k] for k in sorted(self._forms)]

    def for_review_kind(self, kind: ReviewKind) -> FormDefinition:
        """The latest checklist used for reviews of ``kind``."""
        checklists = [
            f
            for f in self._forms.values()
            if f.kind == FormKind.CHECKLIST and f.review_kind == kind
        ]
        if not checklists:
            raise KeyError(f"no checklist form for review kind {ReviewKind(kind).value!r}")
        return max(checklists, key=lambda f: (f.version, f.id))

    def interview_forms(self, program: ProgramModel) -> list[FormDefinition]:
        """The latest version of each interview guide of ``program``, by interviewee role."""
        latest: dict[str, FormDefinition] = {}
        for form in self._forms.values():
            if form.kind != FormKind.INTERVIEW or form.program != program:
                continue
            if form.id not in latest or form.version > latest[form.id].version:
                latest[form.id] = form
        roles = list(IntervieweeRole)
        return sorted(
            latest.values(),
            key=lambda f: (
                roles.index(f.interviewee_role) if f.interviewee_role else len(roles),
                f.id,
            ),
        )


def default_forms_dir() -> Path:
    """The shipped ``forms/`` folder (inside the PyInstaller bundle when frozen)."""
    bundle = getattr(sys, "_MEIPASS", None)  # set by PyInstaller in a frozen app
    if bundle:
        return Path(bundle) / "forms"
    return Path(__file__).resolve().parents[3] / "forms"


def topics_in(directory: Path) -> dict[str, str]:
    """Topic code -> title from ``directory/topics.yaml``; raises FormError.

    Read through a cache keyed by the file's modification time and size: parsing the
    YAML costs more than a one-year summary's arithmetic, and loading every form just
    for the topics cost a history import a third of a second.
    """
    folder = Path(directory)
    try:
        st = (folder / TOPICS_FILE).stat()
    except OSError:
        return load_topics(folder)  # let load_topics say what is wrong
    return dict(_topics_of(folder, st.st_mtime_ns, st.st_size))


@functools.lru_cache(maxsize=4)
def _topics_of(folder: Path, _mtime_ns: int, _size: int) -> tuple[tuple[str, str], ...]:
    return tuple(load_topics(folder).items())  # immutable: callers get their own dict

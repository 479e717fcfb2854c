"""The form definitions the services use, loaded once per process."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from inspector_app.domain.forms import FormDefinition, FormRegistry
from inspector_app.domain.forms.registry import topics_in
from inspector_app.paths import forms_dir


@cache
def registry(directory: Path | None = None) -> FormRegistry:
    return FormRegistry.load(directory or forms_dir())


def form_of(form_id: str, version: int, *, record: str = "") -> FormDefinition:
    """Raises FormVersionMissing (a KnownError) for a version this app does not ship;
    ``record`` (e.g. "review 1a2b3c4d") is named in that message."""
    return registry().get(form_id, version, record=record)


def topics() -> dict[str, str]:
    """Topic code -> title, straight from topics.yaml (cached while the file is
    unchanged): loading every form just for the topics cost a history import 0.3 s."""
    return topics_in(forms_dir())

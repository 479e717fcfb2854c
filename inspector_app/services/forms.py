"""The form definitions the services use, loaded once per process."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from inspector_app.domain.forms import FormDefinition, FormRegistry
from inspector_app.paths import forms_dir


@cache
def registry(directory: Path | None = None) -> FormRegistry:
    return FormRegistry.load(directory or forms_dir())


def form_of(form_id: str, version: int) -> FormDefinition:
    return registry().get(form_id, version)


def topics() -> dict[str, str]:
    return registry().topics

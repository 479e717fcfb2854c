"""A WSO interview guide with a conditional question, in a temporary forms folder.

No shipped interview guide uses ``show_if`` yet: this one asks a follow-up after
``duties.when_served`` only when that answer shows a gap (partial or not understood).
The services' form registry is pointed at the temporary folder for the test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from inspector_app.domain.forms import FormDefinition, FormRegistry, check_forms
from inspector_app.paths import forms_dir
from inspector_app.services import forms

GUIDE = "wso_officer_interview"
CONTROLLER = "duties.when_served"
FOLLOW_UP = "duties.when_served_example"
FOLLOW_UP_PROMPT = "Describe the last time you served a warrant: when and where was it?"
_ITEM = f"""      - key: {FOLLOW_UP}
        prompt: "{FOLLOW_UP_PROMPT}"
        answer: understanding
        help: Expected - at release from criminal custody, inside the facility.
        citation: 287(g) WSO MOA, Warrant service
        topic: detainers
        responsible: lea
        on_failure: deficiency
        show_if: {{item: {CONTROLLER}, in: [partial, not_understood]}}
"""


def write_conditional_guide(folder: Path) -> Path:
    """The shipped forms in ``folder``, the WSO guide with its conditional follow-up."""
    shutil.copytree(forms_dir(), folder)
    path = folder / f"{GUIDE}.v1.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = "      - key: duties.no_interviewing\n"
    assert anchor in text
    path.write_text(text.replace(anchor, _ITEM + anchor, 1), encoding="utf-8")
    assert check_forms(folder) == []
    return folder


@pytest.fixture
def conditional_guide(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FormDefinition:
    registry = FormRegistry.load(write_conditional_guide(tmp_path / "forms"))
    monkeypatch.setattr(forms, "registry", lambda directory=None: registry)
    return registry.get(GUIDE, 1)

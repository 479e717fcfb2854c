"""Form definitions: checklists and interview guides kept as YAML files in ``forms/``.

One file per form and version, named ``{id}.v{version}.yaml``. The package holds
the pydantic schema of a form (`schema`), the checker that reports every problem
with file, line and key (`check`), and the registry of the loaded forms
(`registry`); import the public names from here. ``references.yaml`` lists every
citation an item may use, each with its source (document, place and a verbatim quote);
``topics.yaml`` the finding topics.

A review records the form reference (``FormDefinition.ref``, e.g.
``"jem_inspection.v1"``) it was started with; a later version of a form never
changes an old review, so the registry keeps every version.
"""

from __future__ import annotations

from . import layout
from .check import (
    FormError,
    FormProblem,
    check_forms,
    load_form,
    load_references,
    load_topics,
)
from .registry import FormRegistry, default_forms_dir
from .schema import (
    REFERENCES_FILE,
    TOPICS_FILE,
    FormDefinition,
    FormItem,
    FormKind,
    FormSection,
    Reference,
    SourceDocument,
    citation_parts,
)

__all__ = [
    "FormDefinition",
    "FormError",
    "FormItem",
    "FormKind",
    "FormProblem",
    "FormRegistry",
    "FormSection",
    "REFERENCES_FILE",
    "Reference",
    "SourceDocument",
    "TOPICS_FILE",
    "check_forms",
    "citation_parts",
    "layout",
    "default_forms_dir",
    "load_form",
    "load_references",
    "load_topics",
]

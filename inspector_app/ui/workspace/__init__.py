"""The review workspace (checklist, interviews, findings), the finding editor and the
new-review dialog."""

from .finding_editor import FindingEditor
from .new_review import NewReviewDialog
from .workspace import ReviewWorkspace

__all__ = ["FindingEditor", "NewReviewDialog", "ReviewWorkspace"]

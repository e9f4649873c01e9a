"""The learner's side of results: the list of a module's assessments on the module page.

The learning domain's module page includes ``assessments/_module_assessments.html`` when it exists
(``{% include ... ignore missing %}``) and never imports this domain. The partial asks the
``module_assessments`` template global registered here, with the page's ``access`` (the
``ModuleAccess`` of ``lms.learning.views``, already checked); the dependency stays one-way:
assessments → learning. A Jinja global rather than a learning signal: the include is the
extension point already, and the partial's data belongs to the assessments domain alone.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_login import current_user

from lms.assessments.registry import learner_url
from lms.assessments.results.learner import module_assessment_lines, status_words

bp = Blueprint("results", __name__)


@bp.app_template_global()
def module_assessments(access: Any) -> dict[str, Any]:
    """Return the module's assessments for the current learner, with the words of the statuses."""
    lines = module_assessment_lines(current_user, access.module, access.state.opens_at)
    return {"lines": lines, "words": status_words() if lines else {}}


# The learner's page of an assessment through its kind's endpoint (None while it has none).
bp.add_app_template_global(learner_url, "assessment_url")

"""Whether a module is open to the current learner: the one check every route into a module uses.

``open_module_or_403`` loads a module the current learner may enter: unknown modules and modules
outside the learner's path answer 404, people who are not learners 403, and a locked module 403
with a page that says why (``learning/locked.html``, linking the missing prerequisites). The
assessments of a module are open exactly when their module is (``lms.assessments.access``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, abort, make_response, render_template
from flask_login import current_user

from lms.accounts.permissions import deny
from lms.cohorts.models import Cohort
from lms.curriculum.models import Module
from lms.extensions import db
from lms.learning.chronology import ModuleState
from lms.learning.services import learner_cohort, learner_cohort_for_path, module_states

__all__ = ["ModuleAccess", "open_module_or_403"]


@dataclass(frozen=True)
class ModuleAccess:
    """A module the current learner may enter, with their cohort and every module's state."""

    module: Module
    cohort: Cohort
    state: ModuleState
    states: list[tuple[Module, ModuleState]]


def open_module_or_403(module_id: int) -> ModuleAccess:
    """Load a module the current learner may enter, or stop the request (see the module doc)."""
    module = db.get_or_404(Module, module_id)
    cohort = learner_cohort_for_path(current_user, module.path_id)
    if cohort is None:
        if learner_cohort(current_user) is None:
            deny()  # not a learner at all
        abort(404)  # a learner, but of another path: that module does not exist for them
    states = module_states(current_user, cohort)
    state = next(state for candidate, state in states if candidate.id == module.id)
    if state.is_locked:
        abort(_locked_page(module, state, states))
    return ModuleAccess(module, cohort, state, states)


def _locked_page(module: Module, state: ModuleState, states) -> Response:
    """Return the 403 page that says why a module is locked, linking its missing prerequisites."""
    by_code = {candidate.code: candidate for candidate, _state in states}
    missing = [by_code[code] for code in state.missing_prerequisites]
    page = render_template("learning/locked.html", module=module, state=state, missing=missing)
    return make_response(page, 403)

"""Mass assignment (SECURITY.md C13): extra fields posted to a form change nothing more.

Each form below is posted twice from the same world: as the page sends it, then with extra
fields a forger would add (``is_admin``, ``role``, ``user_id``, ``state``, ``score``...). Both
runs must leave the database in the same state: the extras are ignored and the owner of what
is written is always the current user. Add one line per form people fill in.
"""

from __future__ import annotations

import pytest
from sqlalchemy import DateTime

from lms.extensions import db
from tests.security.routes import DEFAULT_PASSWORD, ROUTES, ref
from tests.security.test_fuzzing import field_names
from tests.security.world import PEOPLE, World

LEARNER_A_CREDENTIALS = {"email": PEOPLE["learner_a"][0], "password": DEFAULT_PASSWORD}
# (endpoint, method, persona, form data or None for the route's recipe in routes.py)
FORMS = [
    ("accounts.login", "POST", "anonymous", LEARNER_A_CREDENTIALS),
    ("accounts.change_password", "POST", "learner_a", None),
    ("accounts.session_end", "POST", "learner_a", None),
    ("accounts.set_language", "POST", "learner_a", {"locale": "fr", "next": "/dashboard"}),
    ("learning.mark_lesson_done", "POST", "learner_b", None),
    ("reminders.preferences", "POST", "learner_a", None),
    ("calendar.issue", "POST", "learner_b", None),
    ("quizzes.submit", "POST", "learner_a", None),
    ("assignments.submit", "POST", "learner_b", None),
    ("assignments.extensions", "POST", "trainer", None),
    ("grading.grade", "POST", "trainer", None),
    ("marking.marking", "POST", "trainer", None),
    ("admin.user_edit", "POST", "admin", None),
    ("admin.user_new", "POST", "admin", None),
    ("cohorts_admin.members", "POST", "admin", None),
    ("cohort_assessors.invite", "POST", "admin", None),
    ("cohort_assessors.change_access", "POST", "admin", None),
    ("cohorts_admin.cohort_edit", "POST", "admin", None),
    # Territories and the organisation: no id, date or named_by forged into a territory.
    ("territories_admin.territory_new", "POST", "admin", None),
    ("territories_admin.territory_edit", "POST", "admin", None),
    ("territories_admin.administrator_add", "POST", "admin", None),
    ("certificates_admin.revoke", "POST", "admin", None),
    ("jury.vote", "POST", "jury_member", None),
    ("attendance_sheets.mark", "POST", "trainer", None),
    # Excused: a forged file key, name or hash never reaches the record (files come as uploads).
    ("attendance_sheets.mark", "POST", "trainer", {"status": "excused", "reason": "Malade"}),
    # Not attendance_sheets.correct: each correction stores a PDF stamped with its own time under
    # a random key, so two runs never match byte for byte; its fields are the mark's plus a reason.
    ("jury_admin.jury_new", "POST", "admin", None),
    ("sessions_manage.session_new", "POST", "trainer", None),
    ("sessions_manage.session_edit", "POST", "admin", None),
    ("project_links.later_evaluation", "POST", "learner_a", None),
    # The person invited: a forged user, moment or project never reaches the evaluation.
    ("project_link.evaluate", "POST", "anonymous", None),
    ("projects.declare", "POST", "learner_b", None),
    ("projects.edit", "POST", "learner_a", None),
    ("project_evaluations.evaluate", "POST", "trainer", None),
    # Positioning: no reviewer, review time, other learner or cohort forged into a positioning.
    ("positioning.cohort", "POST", "learner_a", None),
    ("positioning_manage.learner_page", "POST", "trainer", None),
    ("quality_indicators.publication", "POST", "admin", None),
    ("withdrawals.page", "POST", "local_admin", None),
    # Surveys: a forged user or cohort never names who answered, nor where the campaign goes.
    ("surveys.answer", "POST", "learner_a", None),
    ("survey_link.answer", "POST", "anonymous", None),
    ("surveys_manage.open_now", "POST", "trainer", None),
    ("surveys_manage.add_contact_page", "POST", "trainer", None),
]  # fmt: skip
EXTRA_FIELDS = {
    "is_admin": "y",
    "is_active": "n",
    "role": "admin",
    "user_id": ref("other_learner"),
    "cohort_id": ref("other_cohort"),
    "state": "completed",
    "score": "100",
    "grade": "20",
    "progress": "100",
    "file_key": "0" * 32,
    "file_name": "forged.pdf",
    "file_sha256": "0" * 64,
}


def lasting_state() -> dict[str, list[tuple]]:
    """Return every row, without the values that differ between two identical requests."""
    state = {}
    for table in db.metadata.sorted_tables:
        columns = [
            column
            for column in table.columns
            if not isinstance(column.type, DateTime)
            and not any(part in column.name for part in ("hash", "token", "_at"))
            # A revocation list's signed credential carries the moment it was signed.
            and (table.name, column.name) != ("status_lists", "signed")
        ]
        rows = db.session.execute(db.select(*columns).order_by(*table.primary_key.columns))
        state[table.name] = [tuple(row) for row in rows]
    db.session.rollback()
    return state


def post(world: World, endpoint: str, method: str, persona: str, data: dict) -> int:
    """Post ``data`` (refs resolved) to the route as ``persona``; return the status."""
    resolved = {key: world.value(value, persona) for key, value in data.items()}
    return world.request(persona, endpoint, method, data=resolved).status_code


@pytest.mark.parametrize(
    ("endpoint", "method", "persona", "data"), FORMS, ids=[f"{f[0]}-{f[2]}" for f in FORMS]
)
def test_extra_fields_are_ignored(endpoint, method, persona, data, world: World, fresh_world):
    form = dict(data if data is not None else ROUTES[(endpoint, method)].data)
    before = lasting_state()
    plain_status = post(world, endpoint, method, persona, form)
    expected = lasting_state()
    assert expected != before, "the plain form changed nothing: the test would prove nothing"
    world = fresh_world()
    # A field the page itself offers (an administrator's "is_admin" box) is not an extra.
    offered = set(form) | set(field_names(world, (endpoint, method), persona))
    forged = {**{k: v for k, v in EXTRA_FIELDS.items() if k not in offered}, **form}
    assert post(world, endpoint, method, persona, forged) == plain_status
    changed = differences(expected, lasting_state())
    assert not changed, repr(changed)


def differences(expected: dict, actual: dict) -> dict[str, tuple[list, list]]:
    """Return, per table, the rows only in ``expected`` and the rows only in ``actual``."""
    changed = {}
    for table, rows in expected.items():
        missing = [row for row in rows if row not in actual[table]]
        extra = [row for row in actual[table] if row not in rows]
        if missing or extra:
            changed[table] = (missing, extra)
    return changed

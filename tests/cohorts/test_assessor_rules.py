"""External assessors are neither staff nor learners: no roster, count or rule takes them in.

Each test names one place that reads memberships (lms.cohorts.access says why they must not slip
in); the access predicates themselves are tested in test_access.py.
"""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from lms.cohorts.importing import commit_import, preview_import
from lms.cohorts.models import MembershipRole
from lms.cohorts.queries import cohort_learners, cohort_list_rows, cohort_members
from lms.cohorts.services import CohortError, add_member, learner_count, role_label
from lms.extensions import db
from tests.cohorts.test_importing import csv_bytes, statuses
from tests.factories import (
    AssessmentFactory,
    CohortFactory,
    MembershipFactory,
    ModuleFactory,
    TrainingPathFactory,
    UserFactory,
)
from tests.web.helpers import log_in

ASSESSOR_NAME = "Aurore Évaluatrice"


@pytest.fixture
def cohort():
    """A cohort of capacity 2 with one learner, one trainer and one external assessor.

    Its path has an assignment, so that the gradebook shows its rows.
    """
    cohort = CohortFactory(name="Promo", capacity=2, path=TrainingPathFactory())
    AssessmentFactory(module=ModuleFactory(path=cohort.path))  # so that the gradebook has columns
    MembershipFactory(cohort=cohort, user=UserFactory(display_name="Lina Learner"))
    MembershipFactory(cohort=cohort, user=UserFactory(display_name="Tom Trainer"), trainer=True)
    assessor = UserFactory(display_name=ASSESSOR_NAME, email="aurore@example.org")
    MembershipFactory(cohort=cohort, user=assessor, assessor=True)
    db.session.commit()
    return cohort


def assessor_of(cohort):
    """Return the cohort's assessor."""
    return next(m.user for m in cohort.memberships if m.role == MembershipRole.ASSESSOR)


def trainer_of(cohort):
    """Return the cohort's trainer."""
    return next(m.user for m in cohort.memberships if m.role == MembershipRole.TRAINER)


def test_rosters_and_counts_leave_the_assessor_out(cohort):
    assert [user.display_name for user in cohort_learners(cohort)] == ["Lina Learner"]
    assert {m.role for m in cohort_members(cohort)} == {"learner", "trainer"}
    assert learner_count(cohort) == 1
    ((_cohort, learners, trainers),) = cohort_list_rows(None)
    assert learners == 1
    assert [user.display_name for user in trainers] == ["Tom Trainer"]


def test_capacity_counts_learners_only(cohort):
    # Capacity 2, one learner and one assessor: a second learner still fits.
    add_member(UserFactory(), cohort, MembershipRole.LEARNER)
    with pytest.raises(CohortError, match="full"):
        add_member(UserFactory(), cohort, MembershipRole.LEARNER)


def test_an_assessor_cannot_also_be_enrolled_or_assigned(cohort):
    for role in (MembershipRole.LEARNER, MembershipRole.TRAINER):
        with pytest.raises(CohortError, match="external assessor of Promo"):
            add_member(assessor_of(cohort), cohort, role)


def test_role_label_names_every_role():
    with force_locale("fr"):
        assert [role_label(role) for role in MembershipRole] == [
            "apprenant·e",
            "formateur·ice",
            "évaluateur·ice externe",
        ]


def test_the_csv_import_refuses_an_assessor_row(cohort, monkeypatch):
    monkeypatch.setattr("lms.accounts.tokens.send_invitation", lambda user, **kw: None)
    data = csv_bytes("aurore@example.org,Aurore,Promo,fr", "new@example.org,New,Promo,fr")
    report = preview_import(data, UserFactory(admin=True))
    assert statuses(report)[0] == (
        "aurore@example.org",
        "error",
        "is an external assessor of this cohort",
    )
    # The assessor takes no seat: capacity 2 leaves room for the new learner.
    assert statuses(report)[1][1] == "create"
    commit_import(data, UserFactory(admin=True))
    db.session.commit()
    assert cohort.role_of(assessor_of(cohort)) == MembershipRole.ASSESSOR
    assert learner_count(cohort) == 2


# The members page lists assessors in a section of their own: test_admin_assessors.py.
STAFF_PAGES = [
    "/manage/cohorts/{id}/progress",
    "/manage/cohorts/{id}/progress.csv",
    "/manage/cohorts/{id}/gradebook",
    "/manage/cohorts/{id}/gradebook.csv",
    "/admin/cohorts/{id}/eligibility",
    "/admin/cohorts/{id}/eligibility.csv",
]


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_pages_do_not_list_the_assessor_as_a_learner(client, cohort, url):
    log_in(client, UserFactory(admin=True))
    response = client.get(url.format(id=cohort.id))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Lina Learner" in body
    assert ASSESSOR_NAME not in body
    assert "aurore@example.org" not in body


def test_staff_pages_of_the_assessor_as_a_learner_are_not_found(client, cohort):
    log_in(client, UserFactory(admin=True))
    assessor = assessor_of(cohort)
    for url in (
        f"/manage/cohorts/{cohort.id}/learners/{assessor.id}",
        f"/admin/cohorts/{cohort.id}/learners/{assessor.id}/certification",
    ):
        assert client.get(url).status_code == 404, url


def test_counts_of_the_overview_and_of_the_trainer_s_cohorts(client, cohort):
    log_in(client, trainer_of(cohort))
    html = client.get("/manage/cohorts/").get_data(as_text=True)
    assert "data-learners>1</td>" in html
    client.post("/logout")
    log_in(client, UserFactory(admin=True))
    html = client.get("/admin/").get_data(as_text=True)
    assert '<td class="num" data-learners>1</td>' in html
    assert '<td class="num" data-trainers>1</td>' in html


def test_the_users_list_names_and_filters_assessors(client, cohort):
    log_in(client, UserFactory(admin=True))
    html = client.get("/admin/users?role=assessor").get_data(as_text=True)
    assert "aurore@example.org" in html
    assert "Lina Learner" not in html
    assert "(external assessor)" in html
    html = client.get("/admin/users?role=learner").get_data(as_text=True)
    assert "aurore@example.org" not in html

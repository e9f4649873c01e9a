"""The demo's double marking: markers of each cohort, marked work in agreement or not.

Every double-marked assessment a demo learner passes is marked twice « acquis » (in agreement)
and released, as the path requires; BC3's oral (M7-E1) by a trainer and the demo's external
assessor. A learner whose BC1 file is under way (Tom) has it marked in disagreement: it waits
for the third reader, Théo Tiers. Paule Professionnelle marks the finished cohort's BC3 orals as
its external assessor.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from lms.accounts.models import User
from lms.accounts.services import create_user, find_user_by_email
from lms.assessments.grading.services import release_grade
from lms.assessments.marking.allocation import allocate_work
from lms.assessments.marking.services import save_marking
from lms.assessments.models import Assessment, Submission
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.core.time import local_today
from lms.extensions import db

DEMO_DOMAIN = "demo.bien-vivre.example"
TRAINERS = (
    ("formatrice", "Fatou Formatrice"),
    ("formateur", "Félix Formateur"),
    ("tiers", "Théo Tiers"),
)
# The finished cohorts' markers: Félix Formateur sits on their juries, so he marks none of it.
JURY_FREE_TRAINERS = (TRAINERS[0], TRAINERS[2])
ASSESSOR = ("professionnelle", "Paule Professionnelle")  # of project support, for BC3's oral
AGREED_FEEDBACK = "Travail solide, argumenté et bien ancré dans le territoire."


def _user(slug: str, name: str) -> User:
    email = f"{slug}@{DEMO_DOMAIN}"
    return find_user_by_email(email) or create_user(email, name)


def ensure_markers(
    cohort: Cohort, *, trainers: tuple[tuple[str, str], ...] = TRAINERS, external: bool = False
) -> list[tuple[User, MembershipRole]]:
    """Give the cohort these trainers and, with ``external``, an external assessor whose access
    lasts six months more (the finished cohorts' BC3 orals: lms.demo.assessors names the
    others)."""
    people = []
    for slug, name in trainers:
        user = _user(slug, name)
        if cohort.role_of(user) is None:
            cohort.memberships.append(Membership(user=user, role=MembershipRole.TRAINER))
        people.append((user, MembershipRole.TRAINER))
    if not external:
        db.session.flush()
        return people
    assessor = _user(*ASSESSOR)
    if cohort.role_of(assessor) is None:
        cohort.memberships.append(
            Membership(
                user=assessor,
                role=MembershipRole.ASSESSOR,
                access_ends_on=local_today() + timedelta(days=180),
            )
        )
    people.append((assessor, MembershipRole.ASSESSOR))
    db.session.flush()
    return people


def _levels(assessment: Assessment, position: int) -> dict[int, int]:
    """Return the level at ``position`` (1-based, capped) of every criterion."""
    criteria = assessment.rubric.criteria if assessment.rubric else []
    return {c.id: c.levels[min(position, len(c.levels)) - 1].id for c in criteria}


def _mark(marking, levels: dict[int, int], feedback: str, when: datetime):
    outcome = save_marking(
        marking.marker,
        marking,
        expected_version=marking.version_id,
        choices=levels,
        feedback=feedback,
        submit=True,
    )
    marking.submitted_at = when
    return outcome


def pass_marked(
    user: User, cohort: Cohort, assessment: Assessment, submission: Submission | None, when
) -> None:
    """Have the work marked « acquis » by both markers (in agreement), then released."""
    first, *others = allocate_work(None, cohort, assessment, user, submission, refuse_done=False)
    _mark(first, _levels(assessment, 3), AGREED_FEEDBACK, when)
    for marking in others:
        _mark(marking, _levels(assessment, 3), "Démarche rigoureuse et bien présentée.", when)
    grade = first.grade
    release_grade(grade.grader or first.marker, grade)


def mark_in_disagreement(
    user: User, cohort: Cohort, assessment: Assessment, submission: Submission, when
) -> None:
    """Have the two markings disagree by two levels: the work waits for the third reader."""
    first, second = allocate_work(None, cohort, assessment, user, submission, refuse_done=False)
    _mark(first, _levels(assessment, 4), "Cartographie remarquable, très documentée.", when)
    _mark(second, _levels(assessment, 2), "Inventaire encore incomplet.", when)

"""The demo's quality indicators: a cohort that ended last year, and what is published.

« Promotion Lille (année dernière) » ran from January to November of the last calendar year in
Lille with nine learners: two withdrew (a job, health), the jury awarded four, validated BC1
for one, deferred one and refused one; its sessions were held and their sheets closed like the
other finished cohorts' (``lms.demo.attendance``). When the path declares surveys
(« à chaud », « à froid »), their campaigns were put to the cohort and most answered. The
organisation publishes, for the path and that year, the learners entered, completion,
dropout, certification (path and blocks), attendance, realised hours and satisfaction: the
public page (``/results``) shows them, each figure on fewer than 5 people hidden.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from lms.accounts.models import User
from lms.certificates.models import CertificationDecision, DecisionOutcome
from lms.cohorts.models import Cohort, CohortState, Membership, MembershipRole
from lms.cohorts.services import add_member, create_cohort, find_cohort
from lms.curriculum.models import TrainingPath
from lms.extensions import db
from lms.quality.indicators.models import PublishedIndicator, Withdrawal
from lms.quality.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyCampaign,
    SurveyKind,
    SurveyParticipation,
    SurveyQuestionKind,
    SurveyResponse,
)

COHORT_NAME = "Promotion Lille (année dernière)"
LEARNERS = (
    ("ambre", "Ambre Lefèvre"),
    ("bastien", "Bastien Roux"),
    ("celia", "Célia Fournier"),
    ("dylan", "Dylan Girard"),
    ("emma", "Emma Bonnet"),
    ("farid", "Farid Mercier"),
    ("gaelle", "Gaëlle Blanc"),
    ("hamza", "Hamza Guérin"),
    ("irene", "Irène Faure"),
)
WITHDRAWALS = {
    "hamza": (3, 14, "A trouvé un emploi salarié à temps plein."),
    "irene": (5, 2, "Raisons de santé."),
}
DECISIONS = {
    "ambre": (DecisionOutcome.AWARDED, ""),
    "bastien": (DecisionOutcome.AWARDED, ""),
    "celia": (DecisionOutcome.AWARDED, ""),
    "dylan": (DecisionOutcome.AWARDED, ""),
    "emma": (DecisionOutcome.PARTIAL, "Le bloc 1 est validé ; le bloc 2 reste à soutenir."),
    "farid": (DecisionOutcome.DEFERRED, "Dossier de projet à compléter."),
    "gaelle": (DecisionOutcome.REFUSED, "Soutenance non présentée."),
}
# The answers of those who answered, in the order they are enrolled (values on the scale).
HOT_ANSWERS = (5, 4, 5, 4, 3, 5)
COLD_ANSWERS = (4, 4, 5, 3, 4)
PUBLISHED = (
    "entered",
    "completion",
    "dropout",
    "certification",
    "blocks",
    "attendance",
    "hours",
    "satisfaction_hot",
    "satisfaction_cold",
)


def last_year() -> int:
    return datetime.now(UTC).year - 1


def ensure_indicator_cohort(
    path: TrainingPath,
    territory,
    trainers: list[User],
    demo_user: Callable[[str, str], User],
    admin: User,
) -> Cohort | None:
    """Create last year's Lille cohort with its learners, withdrawals and decisions (once).

    Return the cohort when it was just created (its sessions and sheets are then made by the
    caller, as for the other finished cohorts), None when it already existed.
    """
    if find_cohort(COHORT_NAME) is not None:
        return None
    year = last_year()
    cohort = create_cohort(
        COHORT_NAME,
        path,
        starts_on=date(year, 1, 13),
        ends_on=date(year, 11, 28),
        territory=territory,
        capacity=20,
    )
    for trainer in trainers:
        add_member(trainer, cohort, MembershipRole.TRAINER)
    learners = {}
    for slug, name in LEARNERS:
        user = demo_user(slug, name)
        learners[slug] = add_member(user, cohort, MembershipRole.LEARNER)
    for slug, (month, day, reason) in WITHDRAWALS.items():
        db.session.add(
            Withdrawal(
                membership=learners[slug],
                withdrawn_on=date(year, month, day),
                reason=reason,
                recorded_by=admin,
            )
        )
    decided_at = datetime(year, 12, 10, 15, 0, tzinfo=UTC)
    for slug, (outcome, reason) in DECISIONS.items():
        db.session.add(
            CertificationDecision(
                learner=learners[slug].user,
                cohort=cohort,
                outcome=outcome,
                reason=reason,
                decided_by=admin,
                decided_at=decided_at,
                validated_blocks="BC1" if outcome == DecisionOutcome.PARTIAL else "",
                snapshot={"demo": True},
            )
        )
    cohort.state = CohortState.ARCHIVED
    db.session.flush()
    return cohort


def ensure_indicator_surveys(cohort: Cohort) -> None:
    """Put the path's end-of-path surveys to the cohort and record the answers (once)."""
    surveys = db.session.scalars(
        db.select(Survey).where(
            Survey.path_id == cohort.path_id,
            Survey.kind.in_((SurveyKind.PATH_HOT, SurveyKind.PATH_COLD)),
        )
    ).all()
    learners = db.session.scalars(
        db.select(Membership)
        .where(Membership.cohort_id == cohort.id, Membership.role == MembershipRole.LEARNER)
        .order_by(Membership.id)
    ).all()
    withdrawn = set(
        db.session.scalars(
            db.select(Withdrawal.membership_id).where(
                Withdrawal.membership_id.in_([m.id for m in learners])
            )
        )
    )
    staying = [membership for membership in learners if membership.id not in withdrawn]
    for survey in surveys:
        exists = db.session.scalar(
            db.select(SurveyCampaign.id).filter_by(survey_id=survey.id, cohort_id=cohort.id)
        )
        if exists:
            continue
        hot = survey.kind == SurveyKind.PATH_HOT
        opens = datetime.combine(cohort.ends_on, datetime.min.time(), tzinfo=UTC)
        if not hot:
            opens += timedelta(days=survey.delay_days or 90)
        if opens > datetime.now(UTC):
            continue  # « à froid » not put yet
        _put(survey, cohort, staying, opens, HOT_ANSWERS if hot else COLD_ANSWERS)


def _put(survey: Survey, cohort: Cohort, asked: list[Membership], opens, values) -> None:
    campaign = SurveyCampaign(
        survey=survey, cohort=cohort, opens_at=opens, closes_at=opens + timedelta(days=21)
    )
    db.session.add(campaign)
    top = max(len(survey.scale_labels), 1)
    scales = [
        question for question in survey.questions if question.kind == SurveyQuestionKind.SCALE
    ]
    for index, membership in enumerate(asked):
        answered = index < len(values)
        participation = SurveyParticipation(
            campaign=campaign, learner_id=membership.user_id, answered=answered
        )
        db.session.add(participation)
        if not answered:
            continue
        response = SurveyResponse(
            campaign=campaign,
            participation=None if survey.anonymous else participation,
            submitted_at=None if survey.anonymous else opens + timedelta(days=2),
        )
        db.session.add(response)
        for number, question in enumerate(scales):
            value = min(top, max(1, values[index] - (number % 2)))
            db.session.add(SurveyAnswer(response=response, question=question, scale_value=value))
    db.session.flush()


def ensure_publications(path: TrainingPath, admin: User) -> None:
    """Publish a sensible set of indicators of the path for last year (where missing)."""
    year = last_year()
    existing = set(
        db.session.scalars(
            db.select(PublishedIndicator.indicator).filter_by(path_code=path.code, year=year)
        )
    )
    for code in PUBLISHED:
        if code not in existing:
            db.session.add(
                PublishedIndicator(
                    path_code=path.code, year=year, indicator=code, published_by=admin
                )
            )
    db.session.flush()

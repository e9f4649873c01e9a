"""A small but complete data set whose indicators for 2025 are computed by hand in the tests.

Path ``ebv`` (blocks BC1, BC2; module M1 with required evaluations A1, A2 and an optional A3),
two territories, cohorts in and out of 2025:

- ``lille`` (Lille, 2025-01-06 → 2025-06-27): learners L1…L6 (L6 withdrew), a trainer;
- ``grenoble`` (Grenoble, 2024-09-02 → 2025-03-28, archived): learners G1…G4 (G4 withdrew);
- ``later`` (Lille, 2025-10-06 → 2026-04-30): 3 learners, entered in 2025, ending in 2026;
- ``draft`` (Lille, draft, 2025): 2 learners, never counted;
- ``earlier`` (Lille, 2024): 2 learners, one withdrew, one certified: never counted in 2025.

What each learner did is in ``build``; the tests write the arithmetic beside each figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from lms.assessments.models import GradeState
from lms.attendance.models import AttendanceStatus
from lms.certificates.models import DecisionOutcome
from lms.cohorts.models import Cohort, CohortState, Membership
from lms.extensions import db
from lms.quality.indicators.models import Withdrawal
from lms.quality.surveys.models import SurveyKind, SurveyQuestionKind
from tests.factories import (
    AssessmentFactory,
    AttendanceRecordFactory,
    AttendanceSheetFactory,
    CertificateFactory,
    CertificationDecisionFactory,
    CohortFactory,
    CompetencyBlockFactory,
    GradeFactory,
    MembershipFactory,
    ModuleFactory,
    SurveyAnswerFactory,
    SurveyCampaignFactory,
    SurveyFactory,
    SurveyParticipationFactory,
    SurveyQuestionFactory,
    SurveyResponseFactory,
    TerritoryFactory,
    TrainingPathFactory,
    TrainingSessionFactory,
    UserFactory,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@dataclass
class DataSet:
    lille_territory: object
    grenoble_territory: object
    path: object
    lille: Cohort
    grenoble: Cohort
    later: Cohort
    learners: dict[str, object]
    memberships: dict[str, Membership]


def _at(day: str, hour: int, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=UTC)


def _enrol(cohort: Cohort, names: list[str], found: dict, memberships: dict) -> None:
    for name in names:
        user = UserFactory(display_name=f"Apprenant·e {name}")
        memberships[name] = MembershipFactory(cohort=cohort, user=user)
        found[name] = user


def _withdraw(membership: Membership, on: str) -> None:
    db.session.add(
        Withdrawal(membership=membership, withdrawn_on=date.fromisoformat(on), reason="Emploi")
    )


def _grade(assessment, learner, *, passed: bool, released: bool = True) -> None:
    state = GradeState.RELEASED if released else GradeState.GRADED
    GradeFactory(
        submission=None,
        assessment=assessment,
        learner=learner,
        state=state,
        score=0,
        passed=passed,
        released_at=NOW if released else None,
    )


def _session(cohort, module, day: str, start: int, end: int, marks: dict, *, closed=True):
    session = TrainingSessionFactory(
        cohort=cohort, module=module, starts_at=_at(day, start), ends_at=_at(day, end)
    )
    sheet = AttendanceSheetFactory(session=session, closed=closed)
    for learner, status in marks.items():
        trait = {} if status == AttendanceStatus.PRESENT else {str(status): True}
        AttendanceRecordFactory(sheet=sheet, learner=learner, **trait)


def _campaign(survey, cohort, asked: list, answered: int, values: list, *, module=None, question):
    """Put ``survey`` to ``cohort``: ``asked`` participations, the first ``answered`` answered."""
    campaign = SurveyCampaignFactory(
        survey=survey,
        cohort=cohort,
        module=module,
        opens_at=_at("2025-06-01", 8),
        closes_at=_at("2025-06-15", 8),
    )
    participations = []
    for index, person in enumerate(asked):
        values_ = {"email": person, "learner": None} if isinstance(person, str) else {}
        participations.append(
            SurveyParticipationFactory(
                campaign=campaign,
                learner=values_.get("learner", person),
                email=values_.get("email"),
                answered=index < answered,
            )
        )
    for index, value in enumerate(values):
        if survey.anonymous:
            response = SurveyResponseFactory(
                campaign=campaign, participation=None, submitted_at=None
            )
        else:
            response = SurveyResponseFactory(campaign=campaign, participation=participations[index])
        SurveyAnswerFactory(response=response, question=question, scale_value=value)
    return campaign


def _grades(L, a1, a2, a3) -> None:
    """Grade the learners (see the tests for who passed what)."""
    # Grades: required A1 and A2 passed and released makes a success.
    for name in ("L1", "L4", "G1", "G2", "L6", "E1"):
        _grade(a1, L[name], passed=True)
        _grade(a2, L[name], passed=True)
    _grade(a1, L["L2"], passed=True)
    _grade(a2, L["L2"], passed=False)
    _grade(a1, L["L3"], passed=True)
    _grade(a2, L["L3"], passed=True, released=False)  # graded, not released: not passed yet
    _grade(a1, L["L5"], passed=True)
    _grade(a1, L["G3"], passed=True)
    _grade(a3, L["G3"], passed=True)  # optional: does not replace A2
    _grade(a2, L["G3"], passed=False)


def _decisions(L, lille, grenoble, earlier, bc1, bc2) -> None:
    """Decide and issue (the latest decision of each learner counts)."""

    # Decisions: each learner's latest counts.
    def decide(name, cohort_, outcome, blocks=""):
        CertificationDecisionFactory(
            learner=L[name],
            cohort=cohort_,
            outcome=outcome,
            reason="" if outcome == DecisionOutcome.AWARDED else "Motif",
            validated_blocks=blocks,
        )

    decide("L1", lille, DecisionOutcome.AWARDED)
    decide("L2", lille, DecisionOutcome.REFUSED)
    decide("L2", lille, DecisionOutcome.PARTIAL, "BC1")
    decide("L3", lille, DecisionOutcome.DEFERRED)
    decide("L4", lille, DecisionOutcome.AWARDED)
    decide("G1", grenoble, DecisionOutcome.AWARDED)
    decide("G2", grenoble, DecisionOutcome.PARTIAL, "BC1 BC2")
    decide("G3", grenoble, DecisionOutcome.REFUSED)
    decide("E1", earlier, DecisionOutcome.AWARDED)
    CertificateFactory(learner=L["L1"], cohort=lille)
    CertificateFactory(learner=L["G1"], cohort=grenoble)
    CertificateFactory(learner=L["L4"], cohort=lille, revoked=True)
    CertificateFactory(learner=L["E1"], cohort=earlier)
    CertificateFactory(learner=L["L2"], cohort=lille, block=bc1)
    CertificateFactory(learner=L["G2"], cohort=grenoble, block=bc1)
    CertificateFactory(learner=L["G2"], cohort=grenoble, block=bc2, revoked=True)


def _attendance(L, lille, grenoble, earlier, module) -> None:
    """Hold sessions and sign their sheets."""
    # Attendance: closed sheets count, open ones do not; no record on a closed sheet is absent.
    present, late = AttendanceStatus.PRESENT, AttendanceStatus.LATE
    absent, excused = AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED
    marks = {L["L1"]: present, L["L2"]: late, L["L3"]: absent, L["L4"]: excused}
    _session(lille, module, "2025-02-03", 8, 11, {**marks, L["L6"]: present})  # 3 h
    sheet = {L[n]: present for n in ("L1", "L2", "L3", "L4")}
    _session(lille, module, "2025-03-03", 8, 12, {**sheet, L["L5"]: absent})  # 4 h
    _session(lille, module, "2025-04-07", 8, 11, {L["L1"]: present}, closed=False)
    grenoble_marks = {L["G1"]: present, L["G2"]: present, L["G3"]: late, L["G4"]: absent}
    _session(grenoble, module, "2025-01-13", 9, 12, grenoble_marks)  # 3 h
    _session(earlier, module, "2024-03-04", 9, 12, {L["E1"]: present})


def _surveys(L, path, lille, grenoble, later, module) -> None:
    """Put the surveys and answer them."""

    # Surveys.
    def survey(code, kind, anonymous=False, scale=5):
        made = SurveyFactory(
            path=path,
            code=code,
            kind=kind,
            anonymous=anonymous,
            scale_labels=[f"Niveau {n}" for n in range(1, scale + 1)],
        )
        question = SurveyQuestionFactory(survey=made, code="global", text=f"Satisfaction {code}")
        SurveyQuestionFactory(survey=made, code="avis", kind=SurveyQuestionKind.TEXT, text="Avis")
        return made, question

    path_hot, path_hot_q = survey("fin-parcours", SurveyKind.PATH_HOT)
    module_hot, module_hot_q = survey("fin-module", SurveyKind.MODULE_HOT, anonymous=True)
    cold, cold_q = survey("a-froid", SurveyKind.PATH_COLD, scale=4)
    funder, funder_q = survey("financeurs", SurveyKind.FUNDER)
    lille_five = [L[n] for n in ("L1", "L2", "L3", "L4", "L5")]
    _campaign(path_hot, lille, lille_five, 3, [5, 4, 3], question=path_hot_q)
    _campaign(module_hot, lille, lille_five, 4, [4, 4, 5, 3], module=module, question=module_hot_q)
    _campaign(path_hot, grenoble, [L["G1"], L["G2"], L["G3"]], 2, [5, 2], question=path_hot_q)
    _campaign(cold, lille, lille_five, 2, [3, 4], question=cold_q)
    contacts = ["rh@entreprise.example.org", "opco@example.org"]
    _campaign(funder, grenoble, contacts, 1, [4], question=funder_q)
    _campaign(path_hot, later, [L["N1"]], 1, [1], question=path_hot_q)  # ends in 2026


def build() -> DataSet:
    """Build the data set (see the module docstring)."""
    lille_t = TerritoryFactory(code="lille", name="Lille")
    grenoble_t = TerritoryFactory(code="grenoble", name="Grenoble")
    path = TrainingPathFactory(code="ebv", title="Entrepreneur·e du bien-vivre")
    bc1 = CompetencyBlockFactory(path=path, code="BC1", title="Concevoir le projet")
    bc2 = CompetencyBlockFactory(path=path, code="BC2", title="Conduire le projet")
    module = ModuleFactory(path=path, code="M1")
    a1 = AssessmentFactory(module=module, evaluation=True, code="A1")
    a2 = AssessmentFactory(module=module, evaluation=True, code="A2")
    a3 = AssessmentFactory(module=module, evaluation=True, optional=True, code="A3")

    def cohort(name, territory, starts, ends, state=CohortState.ACTIVE):
        return CohortFactory(
            name=name,
            path=path,
            territory=territory,
            starts_on=date.fromisoformat(starts),
            ends_on=date.fromisoformat(ends),
            state=state,
        )

    lille = cohort("Lille 2025", lille_t, "2025-01-06", "2025-06-27")
    grenoble = cohort("Grenoble 2025", grenoble_t, "2024-09-02", "2025-03-28", CohortState.ARCHIVED)
    later = cohort("Lille 2026", lille_t, "2025-10-06", "2026-04-30")
    draft = cohort("Lille brouillon", lille_t, "2025-03-02", "2025-09-01", CohortState.DRAFT)
    earlier = cohort("Lille 2024", lille_t, "2024-01-08", "2024-12-20", CohortState.ARCHIVED)
    learners: dict = {}
    memberships: dict = {}
    _enrol(lille, ["L1", "L2", "L3", "L4", "L5", "L6"], learners, memberships)
    _enrol(grenoble, ["G1", "G2", "G3", "G4"], learners, memberships)
    _enrol(later, ["N1", "N2", "N3"], learners, memberships)
    _enrol(draft, ["D1", "D2"], learners, memberships)
    _enrol(earlier, ["E1", "E2"], learners, memberships)
    MembershipFactory(cohort=lille, trainer=True)
    L = learners
    _withdraw(memberships["L6"], "2025-03-14")
    _withdraw(memberships["G4"], "2025-01-20")
    _withdraw(memberships["E2"], "2024-05-02")

    _grades(L, a1, a2, a3)
    _decisions(L, lille, grenoble, earlier, bc1, bc2)
    _attendance(L, lille, grenoble, earlier, module)
    _surveys(L, path, lille, grenoble, later, module)
    db.session.commit()
    return DataSet(lille_t, grenoble_t, path, lille, grenoble, later, learners, memberships)

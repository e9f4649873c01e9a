"""A cohort with surveys of every kind, its people, and helpers to open and answer campaigns."""

from __future__ import annotations

from datetime import timedelta

from lms.core.time import utcnow
from lms.extensions import db
from lms.quality.surveys.campaigns import open_campaign
from lms.quality.surveys.links import new_token
from lms.quality.surveys.models import SurveyKind, SurveyParticipation, SurveyQuestionKind
from tests.factories import (
    CohortFactory,
    MembershipFactory,
    ModuleFactory,
    SurveyFactory,
    SurveyQuestionFactory,
    UserFactory,
)

SCALE = ["Pas du tout", "Plutôt non", "Plutôt oui", "Tout à fait"]


def add_questions(survey) -> None:
    """Give ``survey`` a scale, a choice, a required text and an optional text question."""
    survey.scale_labels = list(SCALE)
    SurveyQuestionFactory(survey=survey, code="objectifs", position=1, text="Objectifs atteints ?")
    SurveyQuestionFactory(
        survey=survey,
        code="rythme",
        position=2,
        kind=SurveyQuestionKind.CHOICE,
        text="Le rythme était :",
        choices=["Trop lent", "Adapté", "Trop rapide"],
    )
    SurveyQuestionFactory(
        survey=survey, code="avis", position=3, kind=SurveyQuestionKind.TEXT, text="Votre avis :"
    )
    SurveyQuestionFactory(
        survey=survey,
        code="plus",
        position=4,
        kind=SurveyQuestionKind.TEXT,
        text="Autre chose ?",
        required=False,
    )


class SurveyWorld:
    """A cohort of three learners, a trainer, two modules and four surveys (one per kind)."""

    def __init__(self) -> None:
        self.cohort = CohortFactory()
        path = self.cohort.path
        self.modules = [ModuleFactory(path=path, position=n) for n in (1, 2)]
        self.trainer = UserFactory(display_name="Tania Formatrice")
        MembershipFactory(user=self.trainer, cohort=self.cohort, trainer=True)
        self.learners = [
            UserFactory(display_name=name) for name in ("Alice Martin", "Bruno Petit", "Chloé Roy")
        ]
        for learner in self.learners:
            MembershipFactory(user=learner, cohort=self.cohort)
        self.module_hot = SurveyFactory(path=path, kind=SurveyKind.MODULE_HOT, anonymous=True)
        self.path_cold = SurveyFactory(path=path, kind=SurveyKind.PATH_COLD, delay_days=90)
        self.funder = SurveyFactory(path=path, kind=SurveyKind.FUNDER)
        for survey in (self.module_hot, self.path_cold, self.funder):
            add_questions(survey)
        db.session.commit()

    def campaign(self, survey, module=None, **changes):
        """Open ``survey`` for the cohort now (``changes``: opens_at, closes_at…) and commit."""
        campaign = open_campaign(self.trainer, survey, self.cohort, module)
        for key, value in changes.items():
            setattr(campaign, key, value)
        db.session.commit()
        return campaign

    def anonymous_campaign(self):
        return self.campaign(self.module_hot, self.modules[0])

    def named_campaign(self):
        return self.campaign(self.path_cold)


def answers(
    objectifs: str = "3", rythme: str = "Adapté", avis: str = "Très bien.", plus: str = ""
) -> dict[str, str]:
    """Return the answer form's fields."""
    return {"q_objectifs": objectifs, "q_rythme": rythme, "q_avis": avis, "q_plus": plus}


def contact_link(world: SurveyWorld, email: str = "financeur@example.org"):
    """Open the funder campaign (if needed), add a contact with a live link; return it, token."""
    from lms.quality.surveys.links import add_contact

    campaign = world.funder_campaign if hasattr(world, "funder_campaign") else None
    if campaign is None:
        campaign = world.campaign(world.funder)
        world.funder_campaign = campaign
    participation = add_contact(
        world.trainer, campaign, name="Fanny Financeur", organisation="OPCO Sud", email=email
    )
    token = new_token(participation)
    db.session.commit()
    return participation, token


def expire(participation) -> None:
    participation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()


def security_world_surveys(bien_vivre, other, users) -> dict:
    """A named campaign of ``cohort`` asking learners A and B, a funder campaign with a contact
    holding SURVEY_LINK_TOKEN, a survey still to open; the same on the other cohort."""
    from lms.quality.surveys.links import hash_token
    from tests.security.routes import SURVEY_LINK_TOKEN

    objects: dict = {}
    for prefix, made, trainer in (("", bien_vivre, "trainer"), ("other_", other, "other_trainer")):
        cohort = made.cohort
        named = SurveyFactory(path=cohort.path, kind=SurveyKind.PATH_HOT)
        funder = SurveyFactory(path=cohort.path, kind=SurveyKind.FUNDER)
        later = SurveyFactory(path=cohort.path, kind=SurveyKind.PATH_COLD)
        for survey in (named, funder, later):
            add_questions(survey)
        db.session.commit()
        campaign = open_campaign(users[trainer], named, cohort)
        funder_campaign = open_campaign(users[trainer], funder, cohort)
        contact = SurveyParticipation(
            campaign_id=funder_campaign.id,
            email=f"{prefix}financeur@example.org",
            contact_name="Fanny Financeur",
            organisation="OPCO Sud",
            token_sha256=hash_token(f"{prefix}{SURVEY_LINK_TOKEN}"),
            sent_at=utcnow(),
            expires_at=utcnow() + timedelta(days=3650),
        )
        db.session.add(contact)
        campaign.closes_at = funder_campaign.closes_at = utcnow() + timedelta(days=3650)
        db.session.commit()
        objects |= {
            f"{prefix}survey_campaign": campaign,
            f"{prefix}funder_campaign": funder_campaign,
            f"{prefix}survey_contact": contact,
            f"{prefix}openable_survey": later,
        }
    return objects


def live_world_surveys(cohort, learners, trainer) -> dict:
    """For the browser tests (the cohort's path is the shipped one): M1's anonymous « à chaud »
    campaign answered by all learners but the first, and the funder survey with a live link
    and a used one. Returns the campaigns' ids and the links' tokens."""
    from lms.curriculum.models import Module
    from lms.quality.surveys.answering import record_response
    from lms.quality.surveys.links import add_contact
    from lms.quality.surveys.models import Survey

    surveys = {
        survey.kind: survey
        for survey in db.session.scalars(db.select(Survey).filter_by(path_id=cohort.path_id))
    }
    module = db.session.scalar(db.select(Module).filter_by(path_id=cohort.path_id, code="M1"))
    hot = open_campaign(trainer, surveys[SurveyKind.MODULE_HOT], cohort, module)
    values = {
        "objectifs": "4",
        "contenus": "3",
        "formateurs": "4",
        "rythme": "Adapté",
        "organisation": "3",
        "points-forts": "Les ateliers en petits groupes.",
    }
    asked = {p.learner_id: p for p in hot.participations}
    for learner in learners[1:]:
        record_response(asked[learner.id], values)
    funder = open_campaign(trainer, surveys[SurveyKind.FUNDER], cohort)
    tokens = {}
    for key, name in (("token", "Fanny Financeur"), ("used_token", "Paul Payeur")):
        contact = add_contact(
            trainer,
            funder,
            name=name,
            organisation="OPCO Sud",
            email=f"{key}@opco.example",
        )
        tokens[key] = new_token(contact)
    used = db.session.scalar(
        db.select(SurveyParticipation).filter_by(
            campaign_id=funder.id, email="used_token@opco.example"
        )
    )
    used.answered = True
    db.session.flush()
    return {"module_campaign": hot.id, "funder_campaign": funder.id, **tokens}

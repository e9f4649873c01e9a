"""The demo's satisfaction surveys (Qualiopi indicator 30), answered as a real cohort would.

In Lille, the cohort under way had a « à chaud » survey at the end of each module already over
(M1 to M5), answered by most learners with their comments; the M5 one is still open and reminded,
and Inès has not answered it yet (her « Mes questionnaires » shows it). Its funders and employers
were asked: the OPCO answered through its single-use link, the employer's link is still pending.
In Grenoble, the cohort that finished last year answered the end-of-path survey, then the
« à froid » one three months later (Lina has not answered yet); its funder, the Région, answered
a week after the end. Anonymous surveys are answered
through the same service as the pages, so they carry neither person nor time.

Idempotent: a campaign already there is left as it is. Link tokens are neither printed nor kept.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from lms.accounts.models import User
from lms.cohorts.models import Cohort, ModuleCalendar
from lms.extensions import db
from lms.quality.surveys.answering import record_response
from lms.quality.surveys.campaigns import CampaignExists, open_campaign
from lms.quality.surveys.links import add_contact, new_token
from lms.quality.surveys.models import Survey, SurveyCampaign, SurveyKind, SurveyQuestionKind

# Free comments, by question code: what learners and funders really write.
COMMENTS = {
    "points-forts": [
        "Les ateliers en petits groupes, on a vraiment pu échanger sur nos territoires.",
        "La visite de terrain et la rencontre avec les habitant·es du quartier.",
        "Les fiches outils, que je réutilise déjà dans mon association.",
        "L’écoute des formatrices et la bienveillance du groupe.",
        "Les études de cas concrètes, proches de ce que je vis au travail.",
        "Le travail sur la carte des acteurs : j’ai découvert des partenaires que j’ignorais.",
        "Les témoignages des porteur·euses de projets invité·es.",
        "Alterner théorie le matin et mise en pratique l’après-midi.",
        "La méthode d’animation du diagnostic partagé, très concrète.",
        "Les retours personnalisés sur mon devoir.",
    ],
    "ameliorations": [
        "Un peu plus de temps pour le travail personnel entre deux séances.",
        "Les consignes du devoir pourraient être données plus tôt.",
        "La salle était trop petite pour les ateliers en sous-groupes.",
        "Davantage d’exemples venus de territoires ruraux.",
        "Le forum à distance est peu utilisé ; une visio intermédiaire aiderait.",
        "Certaines ressources en ligne étaient difficiles à lire sur téléphone.",
        "Prévoir une pause de plus lors des journées en présentiel.",
        "Mieux relier les leçons à distance aux ateliers en présentiel.",
    ],
    "commentaires": [
        "Une formation qui a changé ma façon de travailler avec les élu·es.",
        "Parcours exigeant mais très formateur, je le recommande.",
        "J’aurais aimé plus de temps sur le financement des projets.",
        "Le collectif de la promotion est une vraie ressource, on continue à se voir.",
        "Merci pour l’accompagnement jusqu’à la soutenance.",
    ],
}
FUNDER_COMMENTS = {
    "lille": "Les deux salariées formées animent désormais le réseau des acteurs du quartier.",
    "grenoble": "Des projets concrets sont nés sur le territoire ; le suivi administratif "
    "pourrait être plus simple.",
}
# Who funds or employs learners, by territory code: the first one answers, the others wait.
FUNDERS = {
    "lille": [
        ("Sophie Lemaire", "OPCO Cohésion sociale", "sophie.lemaire@opco.example"),
        (
            "Rachid Haddad",
            "Centre social Les Tisserands (employeur)",
            "rachid.haddad@tisserands.example",
        ),
    ],
    "grenoble": [
        ("Hélène Vidal", "Région Auvergne-Rhône-Alpes", "helene.vidal@region.example"),
    ],
}


def ensure_surveys(
    current: Cohort, finished: Cohort, trainer: User, now: datetime, find_user: Callable
) -> None:
    """Open and answer the demo's campaigns where missing (flush only)."""
    surveys = {
        survey.kind: survey
        for survey in db.session.scalars(
            db.select(Survey).filter_by(path_id=current.path_id).order_by(Survey.position)
        )
    }
    if not surveys:
        return
    chance = random.Random(16)  # noqa: S311 (plausible demo answers, no secret)
    ines = find_user("ines")
    if SurveyKind.MODULE_HOT in surveys:
        _module_campaigns(current, surveys[SurveyKind.MODULE_HOT], trainer, now, chance, ines)
    ended = datetime.combine(finished.ends_on, datetime.min.time(), tzinfo=now.tzinfo)
    if SurveyKind.FUNDER in surveys:
        _funder_campaign(current, surveys[SurveyKind.FUNDER], trainer, now - timedelta(days=5))
        _funder_campaign(finished, surveys[SurveyKind.FUNDER], trainer, ended + timedelta(days=7))
    if SurveyKind.PATH_HOT in surveys:
        campaign = _open(surveys[SurveyKind.PATH_HOT], finished, None, trainer, ended)
        if campaign is not None:
            _answer_all(campaign, ended + timedelta(days=2), chance, skip=set())
    cold = surveys.get(SurveyKind.PATH_COLD)
    if cold is not None:
        opens = ended + timedelta(days=cold.delay_days or 90)
        campaign = _open(cold, finished, None, trainer, min(opens, now - timedelta(days=1)))
        if campaign is not None:
            lina = find_user("lina")
            skip = {lina.id} if lina else set()
            _answer_all(campaign, now - timedelta(hours=6), chance, skip=skip)
    db.session.flush()


def _open(survey, cohort, module, trainer, when) -> SurveyCampaign | None:
    """Open the campaign as the daily command would have then; None when already there."""
    try:
        campaign = open_campaign(trainer, survey, cohort, module, when)
    except CampaignExists:
        return None
    for participation in campaign.participations:
        participation.sent_at = when
    db.session.flush()
    return campaign


def _module_campaigns(cohort, survey, trainer, now, chance, ines) -> None:
    """One campaign per module already closed for the cohort, answered by most learners."""
    calendar = db.session.scalars(
        db.select(ModuleCalendar)
        .filter_by(cohort_id=cohort.id)
        .where(ModuleCalendar.closes_at <= now)
        .order_by(ModuleCalendar.closes_at)
    ).all()
    for entry in calendar:
        campaign = _open(survey, cohort, entry.module, trainer, entry.closes_at)
        if campaign is None:
            continue
        still_open = campaign.closes_at > now
        answered_at = min(entry.closes_at + timedelta(days=2), now - timedelta(hours=1))
        skip = {ines.id} if still_open and ines else set()
        learners = [p.learner_id for p in campaign.participations]
        skip |= set(chance.sample(learners, k=min(2, len(learners))))
        _answer_all(campaign, answered_at, chance, skip)
        if entry.closes_at + timedelta(days=7) <= now:
            campaign.reminded_at = entry.closes_at + timedelta(days=7)
            for participation in campaign.participations:
                if not participation.answered:
                    participation.reminded_at = campaign.reminded_at


def _answer_all(campaign, when, chance, skip) -> None:
    """Answer the campaign for every learner asked but those in ``skip``."""
    # Each comment once per campaign: shuffled pools, drawn from until empty.
    pools = {code: chance.sample(texts, len(texts)) for code, texts in COMMENTS.items()}
    for participation in list(campaign.participations):
        if participation.learner_id in skip:
            continue
        record_response(participation, _values(campaign.survey, chance, pools), when)
        participation.answered = True


def _values(survey: Survey, chance: random.Random, pools: dict) -> dict[str, object]:
    """Return plausible answers: mostly satisfied, a comment now and then."""
    top = len(survey.scale_labels)
    values: dict[str, object] = {}
    for question in survey.questions:
        if question.kind == SurveyQuestionKind.SCALE:
            values[question.code] = str(chance.choices(range(1, top + 1), [1, 2, 6, 8][-top:])[0])
        elif question.kind == SurveyQuestionKind.CHOICE:
            # The pace mostly suited (the middle choice); otherwise the first answer mostly.
            favourite = 1 if question.code == "rythme" else 0
            weights = [6 if n == favourite else 1 for n in range(len(question.choices))]
            values[question.code] = chance.choices(question.choices, weights)[0]
        elif pools.get(question.code) and (question.required or chance.random() < 0.6):
            values[question.code] = pools[question.code].pop()
    return values


def _funder_campaign(cohort, survey, trainer, opened) -> None:
    """The cohort's funders and employers: the first answered through its link, one pending."""
    people = FUNDERS.get(cohort.territory.code, [])
    campaign = _open(survey, cohort, None, trainer, opened) if people else None
    if campaign is None:
        return
    contacts = [
        add_contact(
            trainer, campaign, name=name, organisation=organisation, email=email, now=opened
        )
        for name, organisation, email in people
    ]
    for contact in contacts:
        new_token(contact, opened)  # the token is not kept: nobody can use these links here
    answered = contacts[0]
    record_response(
        answered,
        {
            "information": "3",
            "adequation": "4",
            "effets": "3",
            "relation": "4",
            "renouvellement": "Oui",
            "commentaires": FUNDER_COMMENTS[cohort.territory.code],
        },
        opened + timedelta(days=3),
    )
    answered.answered = True

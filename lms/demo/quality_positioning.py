"""The demo's entry positionings, in the cohort under way, recorded once.

Every learner of the cohort under way has positioned themselves on the path's scale and taken
the entry quiz, but Inès, who has not started yet; Hugo waits for his trainer's review; the
others were reviewed by Fatou Formatrice, who retained an entry level per competency and wrote
the adjustments decided for each (« aucune adaptation » for some). Levels are written per
block of competencies (BC1 to BC4), the trainer's a little below or above the learner's own.

Idempotent: a learner who has a positioning keeps it as it is. Flush only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from lms.accounts.models import User
from lms.assessments.models import Assessment
from lms.assessments.quizzes.services import learner_attempts, start_attempt, submit_attempt
from lms.cohorts.models import Cohort
from lms.extensions import db
from lms.quality.positioning.frame import Frame, frame_of
from lms.quality.positioning.quiz import path_rules
from lms.quality.positioning.services import (
    SelfLevel,
    positioning_of,
    review_positioning,
    self_assess,
)


@dataclass(frozen=True)
class DemoPositioning:
    """One learner's positioning: own levels per block, the entry levels retained (None: not
    reviewed yet), the right answers given at the entry quiz, a comment, the adjustments."""

    learner: str
    own: tuple[int, int, int, int]
    entry: tuple[int, int, int, int] | None
    quiz_right: int
    comment: str = ""
    adjustments: str = ""


POSITIONINGS = (
    DemoPositioning(
        "hugo",
        (2, 1, 1, 0),
        None,
        4,
        "J’ai animé pendant deux ans le conseil citoyen de mon quartier.",
    ),
    DemoPositioning(
        "lea",
        (1, 1, 0, 0),
        (1, 1, 0, 0),
        3,
        "Je découvre le développement local, je viens du secteur bancaire.",
        "Parcours renforcé sur le bloc BC1 : lecture guidée du diagnostic de territoire de "
        "Roubaix et un entretien de suivi à la fin du module M2. Rythme inchangé.",
    ),
    DemoPositioning(
        "tom",
        (3, 3, 2, 2),
        (2, 2, 2, 1),
        5,
        "Chargé de mission dans une communauté de communes depuis cinq ans.",
        "Aucune adaptation du programme. Niveaux d’entrée retenus un cran sous "
        "l’autoévaluation après l’entretien : point d’étape prévu avec la formatrice après "
        "l’exercice de cartographie des acteurs du module M2.",
    ),
    DemoPositioning(
        "chloe",
        (2, 2, 1, 1),
        (2, 2, 1, 1),
        6,
        adjustments="Aucune adaptation nécessaire : le positionnement correspond au parcours "
        "prévu.",
    ),
    DemoPositioning(
        "nael",
        (1, 2, 2, 1),
        (1, 2, 2, 2),
        5,
        "Trésorier d’une association d’insertion : les plans de financement, je connais.",
        "Allègement du module M6 (financement) : Naël peut présenter son plan de financement "
        "associatif en lieu et place des exercices d’entraînement. Renfort sur le diagnostic "
        "(BC1) avec les ressources complémentaires du module M1.",
    ),
    DemoPositioning(
        "manon",
        (2, 3, 2, 1),
        (2, 2, 2, 1),
        6,
        adjustments="Aucune adaptation du programme. Aménagement des horaires des ateliers en "
        "présentiel (reconnaissance de travailleuse handicapée) : pauses toutes les heures, "
        "avec le référent handicap.",
    ),
    DemoPositioning(
        "yanis",
        (1, 1, 1, 1),
        (1, 1, 1, 0),
        2,
        "Première expérience dans le secteur, après une reconversion.",
        "Tutorat par une apprenante de la promotion précédente pendant les modules M1 à M3 ; "
        "lectures complémentaires sur l’évaluation d’impact (BC4).",
    ),
    DemoPositioning("camille", (2, 2, 2, 2), (2, 2, 2, 2), 7, adjustments="Aucune adaptation."),
    DemoPositioning(
        "sacha",
        (3, 2, 2, 1),
        (2, 2, 2, 1),
        6,
        adjustments="Aucune adaptation du programme ; Sacha rejoint le groupe de travail sur "
        "l’évaluation ex ante dès le module M5.",
    ),
    DemoPositioning(
        "jade",
        (2, 3, 3, 2),
        (2, 3, 2, 2),
        7,
        "Coordinatrice d’un tiers-lieu, habituée à réunir des acteurs très différents.",
        "Aucune adaptation nécessaire.",
    ),
    DemoPositioning(
        "adam",
        (1, 2, 1, 1),
        (1, 2, 1, 1),
        5,
        adjustments="Accès aux ressources en version audio pour les lectures longues, à sa "
        "demande. Pas d’autre adaptation.",
    ),
)


def ensure_positionings(
    cohort: Cohort, find_user: Callable[[str], User | None], trainer: User, now: datetime
) -> None:
    """Record the demo's positionings and entry quiz attempts where missing (flush only)."""
    frame = frame_of(cohort.path_id)
    rules = path_rules(cohort.path_id)
    quiz = db.session.get(Assessment, rules.quiz.id) if rules.quiz else None
    when = now - timedelta(days=20)
    for data in POSITIONINGS:
        learner = find_user(data.learner)
        if learner is None or positioning_of(cohort, learner) is not None:
            continue
        if quiz is not None and not learner_attempts(quiz, learner):
            _take_quiz(quiz, learner, cohort, data.quiz_right, when)
        self_assess(
            learner, cohort, frame, _levels(frame, data.own, data.comment), expected_version=None
        )
        if data.entry is not None:
            entries = {cid: answer.level for cid, answer in _levels(frame, data.entry).items()}
            review_positioning(
                trainer,
                cohort,
                learner,
                frame,
                entries,
                data.adjustments,
                expected_version=positioning_of(cohort, learner).version_id,  # type: ignore[union-attr]
            )


def _levels(frame: Frame, by_block: tuple[int, ...], comment: str = "") -> dict:
    """Give every competency its block's level; the comment goes on the first competency."""
    answers = {}
    for index, block in enumerate(frame.blocks):
        for position, competency in enumerate(block.competencies):
            text = comment if index == 0 and position == 0 else ""
            answers[competency.id] = SelfLevel(by_block[min(index, len(by_block) - 1)], text)
    return answers


def _take_quiz(quiz: Assessment, learner: User, cohort: Cohort, right: int, when) -> None:
    """Submit an attempt with the first ``right`` questions answered right, the others wrong."""
    attempt = start_attempt(quiz, learner, cohort, when, shuffle=lambda options: None)
    answers = {}
    for number, question in enumerate(quiz.questions):
        good = number < right
        answers[question.id] = [o.id for o in question.options if o.is_correct == good][:1]
    submit_attempt(attempt, answers, when + timedelta(minutes=9))

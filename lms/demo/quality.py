"""The demo's quality evidence, each part in its module, in the order they build on each other.

The cohort under way's learners positioned themselves at entry, most reviewed by their trainer
(``quality_positioning``); satisfaction surveys were put and answered « à chaud », « à froid »
and by funders (``quality_surveys``); a Lille cohort that ended last year feeds the quality
indicators, some of which the organisation publishes (``quality_indicators``); the finished
cohort is kept ten years (``quality_retention``); and the first graduate's dossier is built,
last, since it gathers everything (``quality_dossiers``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import click

from lms.accounts.models import User
from lms.cohorts.models import Cohort
from lms.cohorts.services import find_cohort
from lms.curriculum.models import TrainingPath
from lms.demo.attendance import ensure_sheets
from lms.demo.quality_dossiers import ensure_dossier
from lms.demo.quality_indicators import COHORT_NAME as INDICATORS_COHORT_NAME
from lms.demo.quality_indicators import (
    ensure_indicator_cohort,
    ensure_indicator_surveys,
    ensure_publications,
)
from lms.demo.quality_positioning import ensure_positionings
from lms.demo.quality_retention import ensure_retention
from lms.demo.quality_surveys import ensure_surveys
from lms.demo.sessions import ensure_sessions
from lms.demo.territories import LILLE, ensure_territories
from lms.extensions import db


@dataclass(frozen=True)
class QualityPeople:
    """The demo's people the quality evidence names, and how to find or make the others."""

    admin: User
    trainers: list[User]
    reviewer: User  # the trainer who reviews positionings and puts the surveys
    graduate: User  # the first graduate of the finished cohort, whose dossier is built
    find: Callable[[str], User | None]  # a demo person by slug
    make: Callable[..., User]  # a demo person by slug and name, made when missing


def ensure_quality(
    path: TrainingPath, cohort: Cohort, finished: Cohort, people: QualityPeople, now: datetime
) -> None:
    """Add the quality evidence that is missing (committed step by step)."""
    ensure_positionings(cohort, people.find, people.reviewer, now)
    db.session.commit()
    ensure_surveys(cohort, finished, people.reviewer, now, people.find)
    db.session.commit()
    _ensure_indicators(path, people, now)
    ensure_retention(finished.name)
    db.session.commit()
    dossier = ensure_dossier(people.graduate, finished, people.admin)
    if dossier is not None and dossier.state != "ready":
        click.echo(f"No demo dossier: {dossier.error}")


def _ensure_indicators(path: TrainingPath, people: QualityPeople, now: datetime) -> None:
    """Last year's Lille cohort, its sessions and surveys, and the published indicators."""
    lille = ensure_territories()[LILLE]
    created = ensure_indicator_cohort(path, lille, people.trainers, people.make, people.admin)
    db.session.commit()
    if created is not None:
        ensure_sessions(created, people.trainers, now, running=False)
        db.session.commit()
        ensure_sheets(created, now)
    cohort = find_cohort(INDICATORS_COHORT_NAME)
    assert cohort is not None  # made above
    ensure_indicator_surveys(cohort)
    ensure_publications(path, people.admin)
    db.session.commit()

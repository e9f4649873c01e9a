"""Command ``lms build-dossiers``: build learners' dossiers from the command line (operators).

``--cohort <id>`` builds every learner of a cohort; ``--learner <email>`` builds one learner's
dossier in each cohort they learn in (or in ``--cohort`` only, with both). The builds go through
the same jobs as the pages: with Redis they are queued for the workers, otherwise they run here,
one after the other, and the command prints each build's state and archive digest.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.accounts.models import User
from lms.cohorts.models import Cohort
from lms.cohorts.queries import cohorts_learned_by
from lms.core.transactions import unit_of_work
from lms.extensions import db
from lms.quality.dossiers.models import LearnerDossier
from lms.quality.dossiers.services import (
    DossierError,
    launch_builds,
    request_cohort_dossiers,
    request_dossier,
)


def _cohort(cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise click.UsageError(f"no cohort has the id {cohort_id}")
    return cohort


def _learner(email: str) -> User:
    learner = db.session.scalar(db.select(User).where(db.func.lower(User.email) == email.lower()))
    if learner is None:
        raise click.UsageError(f"no user has the e-mail address {email}")
    return learner


def _learner_cohorts(learner: User) -> list[Cohort]:
    cohorts = cohorts_learned_by(learner)
    if not cohorts:
        raise click.UsageError(f"{learner.email} is a learner of no cohort")
    return cohorts


def _request(cohort_id: int | None, email: str | None) -> list[LearnerDossier]:
    """Record the builds asked for (committed); raise a usage error naming the problem."""
    if email is None:
        assert cohort_id is not None
        cohort = _cohort(cohort_id)
        with unit_of_work():
            return request_cohort_dossiers(cohort, None)
    learner = _learner(email)
    cohorts = [_cohort(cohort_id)] if cohort_id is not None else _learner_cohorts(learner)
    dossiers = []
    for cohort in cohorts:
        with unit_of_work():
            dossiers.append(request_dossier(learner, cohort, None))
    return dossiers


@click.command("build-dossiers")
@click.option("--cohort", "cohort_id", type=int, help="Build every learner of this cohort (id).")
@click.option("--learner", "email", help="Build this learner's dossier (e-mail address).")
@with_appcontext
def build_dossiers_command(cohort_id: int | None, email: str | None) -> None:
    """Build learners' dossiers (ZIP with index and SHA-256 manifest): a cohort or a learner."""
    if cohort_id is None and email is None:
        raise click.UsageError("say whose dossiers to build: --cohort <id> or --learner <email>")
    try:
        dossiers = _request(cohort_id, email)
        ids = [dossier.id for dossier in dossiers]
        launch_builds(dossiers)
    except DossierError as error:
        raise click.ClickException(str(error)) from None
    failed = 0
    db.session.expire_all()
    for dossier_id in ids:
        dossier = db.session.get(LearnerDossier, dossier_id)
        assert dossier is not None
        line = f"dossier {dossier.id}\t{dossier.learner.email}\t{dossier.cohort.name}"
        line += f"\tv{dossier.version}\t{dossier.state}"
        if dossier.sha256:
            line += f"\tsha256={dossier.sha256}\t{dossier.size} bytes"
        if dossier.error:
            line += f"\t{dossier.error}"
            failed += 1
        click.echo(line)
    click.echo(f"dossiers: {len(ids)} requested, {failed} failed")
    if failed:
        raise SystemExit(1)

"""Commands ``lms issue-certificates COHORT`` and ``lms check-storage [--fix]``.

``issue-certificates`` issues every learner of a cohort whose latest decision awards the
certificate and who holds none yet, as one batch (``lms.certificates.batches``) that the
administrators' pages show too. It runs in this command's own processes (``--processes``,
default 2: rendering a PDF keeps one core busy), whether or not Redis is configured, so it needs
no ``lms worker``. It exits with status 1 when a learner could not be issued.

``check-storage`` compares the stored files (uploads, certificate PDFs, jury minutes) with their
rows (``lms.certificates.storage_check``) and exits with status 1 while a problem remains.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.accounts.models import User
from lms.certificates.batches import Outcome, run_in_processes, start_batch
from lms.certificates.errors import CertificateError
from lms.certificates.storage_check import check_storage
from lms.cohorts.models import Cohort
from lms.cohorts.services import find_cohort
from lms.extensions import db


def cohort_named(value: str) -> Cohort:
    """Return the cohort with this id or name, or stop with a clear message."""
    cohort = find_cohort(value)
    if cohort is None and value.isdigit():
        cohort = db.session.get(Cohort, int(value))
    if cohort is None:
        raise click.ClickException(f"no cohort has the id or name {value!r}")
    return cohort


@click.command("issue-certificates")
@click.argument("cohort_name", metavar="COHORT")
@click.option(
    "--processes",
    type=click.IntRange(min=1, max=16),
    default=2,
    show_default=True,
    help="Processes issuing at once (1: in this process).",
)
@with_appcontext
def issue_certificates_command(cohort_name: str, processes: int) -> None:
    """Issue the certificates of every awarded learner of COHORT (its id or name)."""
    cohort = cohort_named(cohort_name)
    try:
        batch = start_batch(cohort, requested_by=None)
    except CertificateError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    batch_id, total, label = batch.id, batch.total, f"Issuing {batch.total} certificates"
    results = []
    with click.progressbar(length=total, label=label, show_pos=True) as bar:
        for result in run_in_processes(batch_id, processes):
            results.append(result)
            bar.update(1)
    failed = _summarise(results)
    if failed:
        raise SystemExit(1)


def _summarise(results) -> int:
    """Print what the batch did; return how many learners failed."""
    counts = dict.fromkeys(Outcome, 0)
    for result in results:
        counts[result.outcome] += 1
    click.echo(
        f"Issued: {counts[Outcome.ISSUED]}, already held: {counts[Outcome.HELD]}, "
        f"failed: {counts[Outcome.FAILED]}"
    )
    failures = [result for result in results if result.outcome is Outcome.FAILED]
    names = _names([result.learner_id for result in failures])
    for result in failures:
        click.echo(f"  {names.get(result.learner_id, result.learner_id)}: {result.message}")
    return len(failures)


def _names(user_ids: list[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    query = db.select(User.id, User.display_name).where(User.id.in_(user_ids))
    return dict(db.session.execute(query).all())


@click.command("check-storage")
@click.option("--fix", is_flag=True, help="Delete leftovers and rebuild missing certificate PDFs.")
@with_appcontext
def check_storage_command(fix: bool) -> None:
    """Compare the stored files (uploads, PDFs, dossiers…) with their rows; repair with --fix."""
    check = check_storage(fix=fix)
    db.session.commit()  # a rebuilt PDF's new key
    for store, (files, rows) in check.counted.items():
        click.echo(f"{store}: {files} files, {rows} rows")
    for problem in check.problems:
        state = "fixed" if problem.fixed else "PROBLEM"
        where = f"{problem.store} {problem.kind}"
        click.echo(f"  {state} {where}: {problem.subject} — {problem.detail}")
    remaining = len(check.remaining)
    click.echo(f"{len(check.problems)} problems found, {remaining} remaining")
    if remaining:
        if not fix:
            click.echo("Run `lms check-storage --fix` to repair what can be repaired.")
        raise SystemExit(1)

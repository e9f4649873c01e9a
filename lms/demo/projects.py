"""The demo's projects and their evaluations with the path's common grid, recorded once.

Every learner who has reached M5 declares a project (``lms.demo.project_data``): in Lille, the
cohort under way frames theirs (ex ante evaluations, one project still an idea); in Grenoble,
the graduates carried theirs out and evaluated them again at their defence (ex post), except
Lina, who presents it again. Months after the spring cohort's defences, one holder made the
later ex post evaluation through the single-use link sent to her; another link waits, unused.
Links' tokens are neither printed nor kept: only their SHA-256 is stored, as for a real one.

Idempotent: a project, an evaluation or a link already there is left as it is. Flush only.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable, Mapping
from datetime import date, timedelta

from lms.accounts.models import User
from lms.cohorts.models import Cohort
from lms.core.time import local_today, utcnow
from lms.demo.project_data import ANTE, LATER, POST, PROJECTS, DemoProject
from lms.extensions import db
from lms.projects.evaluations import record_evaluation
from lms.projects.grid import Grid, grid_of
from lms.projects.invitations import create_invitation, use_invitation
from lms.projects.models import Project, ProjectInvitation

# Days the pending link stays valid from today; how long ago the used one was sent.
PENDING_LINK_DAYS = 30
LATER_EX_POST_DAYS_AGO = 12


def ensure_projects(
    cohorts: Mapping[str, Cohort], find_user: Callable[[str], User | None], domain: str
) -> list[Project]:
    """Record the demo's projects where missing, with their evaluations and links.

    ``cohorts`` names the cohorts as the data does ("current", "finished", "spring");
    ``find_user`` returns a demo learner from their slug; ``domain`` is the demo's e-mail
    domain, for the holders the links go to. Returns every demo project.
    """
    grid = grid_of(next(iter(cohorts.values())).path_id)
    if grid is None:  # a path without a project grid: nothing to declare
        return []
    existing = {
        (project.cohort_id, project.learner_id): project
        for project in db.session.scalars(
            db.select(Project).where(Project.cohort_id.in_([c.id for c in cohorts.values()]))
        )
    }
    projects = []
    for data in PROJECTS:
        cohort, learner = cohorts[data.cohort], find_user(data.learner)
        if learner is None:  # not a demo learner (any more): no project
            continue
        project = existing.get((cohort.id, learner.id))
        if project is None:
            project = _declare(data, cohort, learner, grid)
            _evaluate(data, project, learner, grid, domain)
        projects.append(project)
    return projects


def _declare(data: DemoProject, cohort: Cohort, learner: User, grid: Grid) -> Project:
    domains = {domain.code: domain for domain in grid.domains}
    defence = _defence_day(cohort)
    project = Project(
        cohort=cohort,
        learner=learner,
        territory=cohort.territory,
        title=data.title,
        holder=data.holder,
        partners="\n".join(data.partners),
        domains=[domains[code] for code in data.domains],
        stage=data.stage,
        description=data.description,
        later_ex_post_on=(
            _months_after(defence, grid.later_ex_post_months) if POST in data.evaluations else None
        ),
    )
    db.session.add(project)
    db.session.flush()
    return project


def _evaluate(data: DemoProject, project: Project, learner: User, grid: Grid, domain: str) -> None:
    """Record the ex ante and ex post evaluations, then the later one's link (used or not)."""
    cohort = project.cohort
    days = {
        # framed while the cohort worked on M4 (three months in), evaluated again at the defence
        ANTE: min(cohort.starts_on + timedelta(days=95), local_today() - timedelta(days=20)),
        POST: _defence_day(cohort),
    }
    for moment in (ANTE, POST):
        if moment in data.evaluations:
            record_evaluation(
                project,
                grid,
                moment,
                data.evaluations[moment],
                user=learner,
                evaluated_on=days[moment],
            )
    if data.contact is None or data.later is None:
        return
    name, local_part = data.contact
    now = utcnow()
    invitation, _token = create_invitation(
        learner,
        project,
        email=f"{local_part}@{domain}",
        name=name,
        expires_at=now + timedelta(days=PENDING_LINK_DAYS),
    )
    if data.later == "done":
        _sent_days_ago(invitation, LATER_EX_POST_DAYS_AGO)
        use_invitation(invitation)
        record_evaluation(
            project,
            grid,
            LATER,
            data.evaluations[LATER],
            invitation=invitation,
            evaluated_on=local_today(),
        )


def _sent_days_ago(invitation: ProjectInvitation, days: int) -> None:
    """Date the link as sent ``days`` ago, as the holder received it before answering."""
    invitation.created_at = invitation.created_at - timedelta(days=days)
    db.session.flush()


def _defence_day(cohort: Cohort) -> date:
    """The day of the BC4 defence: ten days before the cohort's last day."""
    return cohort.ends_on - timedelta(days=10)


def _months_after(day: date, months: int) -> date:
    """Return the same day ``months`` later (the month's last day when it has fewer days)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, monthrange(year, month)[1]))

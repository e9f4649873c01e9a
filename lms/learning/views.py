"""The home page, the learner dashboard and the module and lesson pages of the learner.

Every route into a module goes through ``open_module_or_403`` (``lms.learning.access``): unknown
modules and modules outside the learner's path answer 404, people who are not learners 403, and a
locked module 403 with a page that says why. Trainers and administrators previewing modules is
not supported here: they are not learners of the path, so they get 403 like anyone else.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import String, bindparam, cast, literal, union
from sqlalchemy.engine import Row

from lms.cohorts.assessors import assessor_memberships
from lms.cohorts.models import Cohort, Membership, MembershipRole, ModuleCalendar
from lms.core.markdown import render_markdown, safe_link
from lms.core.time import local_today, utcnow
from lms.core.transactions import unit_of_work
from lms.curriculum.models import Competency, CompetencyBlock, Lesson, Module, module_competencies
from lms.extensions import db
from lms.learning.access import ModuleAccess, open_module_or_403
from lms.learning.chronology import ModuleState
from lms.learning.cohort_progress import attendance_of
from lms.learning.competencies import competency_profile, entry_levels_of
from lms.learning.competency_chart import layout_competency_chart
from lms.learning.progress import is_late
from lms.learning.services import (
    LearnerPath,
    complete_lesson,
    learner_cohort,
    learner_path,
    module_lessons,
    module_state,
)
from lms.learning.signals import other_homes as other_homes_signal
from lms.learning.timeline import TimelineEntry, layout_timeline
from lms.organisations import administers_some_territory, remember_local_admin
from lms.organisations.models import TerritoryAdministrator

bp = Blueprint("learning", __name__)


# Asked by the navigation of every page: built once, the user bound when it runs. The same
# statement tells whether the user is a local administrator (the menu's « My territories »), so
# that no page pays a second query for it.
_LOCAL_ADMIN = "local-admin"
_ROLES_QUERY = union(
    db.select(cast(Membership.role, String)).where(Membership.user_id == bindparam("user_id")),
    db.select(literal(_LOCAL_ADMIN, String)).where(
        TerritoryAdministrator.user_id == bindparam("user_id")
    ),
)


def membership_roles() -> frozenset[MembershipRole]:
    """Return the roles the current user holds in any cohort (one query, cached per request)."""
    if not current_user.is_authenticated:
        return frozenset()
    if "membership_roles" not in g:
        roles = set(db.session.scalars(_ROLES_QUERY, {"user_id": current_user.id}))
        remember_local_admin(_LOCAL_ADMIN in roles and not current_user.is_admin)
        g.membership_roles = frozenset(MembershipRole(role) for role in roles - {_LOCAL_ADMIN})
    return g.membership_roles


def other_homes() -> list[tuple[str, str]]:
    """Return where a person who neither learns, trains nor administers has work (a jury...).

    Asked through the ``other_homes`` signal, once per request and only of such people: a
    learner's, trainer's or administrator's page pays no query for it.
    """
    if not current_user.is_authenticated or current_user.is_admin:
        return []
    roles = membership_roles()
    if MembershipRole.LEARNER in roles or MembershipRole.TRAINER in roles:
        return []
    if "other_homes" not in g:
        answers = other_homes_signal.send(current_user._get_current_object())
        g.other_homes = [home for _receiver, homes in answers for home in homes or ()]
    return g.other_homes


@bp.app_context_processor
def _navigation_context() -> dict[str, object]:
    """Let the layout ask which sections the current user may see (only when it needs to)."""
    return {"membership_roles": membership_roles, "other_homes": other_homes}


@bp.get("/")
def home():
    """Send visitors to the login page and people to their home: admin, trainer, local
    administrator, then learner."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    if current_user.is_admin:
        return redirect(url_for("admin.overview"))
    roles = membership_roles()
    if MembershipRole.TRAINER in roles:
        return redirect(url_for("cohorts_manage.my_cohorts"))
    if MembershipRole.LEARNER not in roles and administers_some_territory():
        return redirect(url_for("territories_admin.my_territories"))
    return redirect(url_for("learning.dashboard"))


def _assessor_dashboard():
    """Show an external assessor the cohorts they assess, and the accesses that ended."""
    today = local_today()
    memberships = assessor_memberships(current_user)
    return render_template(
        "learning/assessor_dashboard.html",
        active=[m for m in memberships if m.access_ends_on and m.access_ends_on >= today],
        ended=[m for m in memberships if m.access_ends_on and m.access_ends_on < today],
        marking_queue="marking.queue" in current_app.view_functions,
    )


@dataclass(frozen=True)
class NextStep:
    """Where the learner should go now: an open module and its first lesson not done, if any."""

    module: Module
    state: ModuleState
    lesson: Row | None  # the lesson's id and title (a row of ``learner_path``'s next lessons)


@bp.get("/dashboard")
@login_required
def dashboard():
    """Show the learner's cohort, the path as a timeline, each module's state and the next step.

    A trainer who is no learner has no path to show: they are taken to their cohorts. An external
    assessor who is neither sees the cohorts they assess and until when (or that it ended). A
    person with work elsewhere and no cohort role (a jury's member) is taken to that work, and a
    local administrator with none to their territories.
    """
    cohort = learner_cohort(current_user)
    if cohort is None:
        if MembershipRole.TRAINER in membership_roles():
            return redirect(url_for("cohorts_manage.my_cohorts"))
        if MembershipRole.ASSESSOR in membership_roles():
            return _assessor_dashboard()
        homes = other_homes()
        if homes:
            return redirect(url_for(homes[0][0]))
        if administers_some_territory():
            return redirect(url_for("territories_admin.my_territories"))
        return render_template("learning/dashboard.html", cohort=None)
    now = utcnow()
    path = learner_path(current_user, cohort, now)
    modules, counts = path.modules, path.lesson_counts
    late = frozenset(state.code for _module, state in modules if is_late(state, now))
    next_step = _next_step(path)
    learner = current_user._get_current_object()
    completed = {learner.id: {module.id for module, state in modules if state.is_completed}}
    return render_template(
        "learning/dashboard.html",
        cohort=cohort,
        attendance=attendance_of(
            cohort, [learner], completed, [module for module, _state in modules]
        ).get(learner.id),
        modules=modules,
        counts=counts,
        late=late,
        modules_done=sum(1 for _module, state in modules if state.is_completed),
        lessons_progress=(
            sum(done for done, _total in counts.values()),
            sum(total for _done, total in counts.values()),
        ),
        next_step=next_step,
        next_opening=None if next_step else _next_opening(modules),
        timeline=layout_timeline([_timeline_entry(m, s, counts, late) for m, s in modules]),
    )


@bp.get("/competencies")
@login_required
def competencies():
    """Show the learner's competency profile: a chart by block, then the same data as tables.

    Like the dashboard, anyone logged in may open it; people who are not learners of an active
    cohort (trainers, administrators) see the same friendly "not enrolled" message.
    """
    cohort = learner_cohort(current_user)
    if cohort is None:
        return render_template("learning/competencies.html", cohort=None)
    profile = competency_profile(current_user, cohort, audience="learner")
    return render_template(
        "learning/competencies.html",
        cohort=cohort,
        profile=profile,
        entry=entry_levels_of(current_user, cohort),
        chart=layout_competency_chart(profile),
    )


def _next_step(path: LearnerPath) -> NextStep | None:
    """Return the first open module in chronological order, with its first lesson not done."""
    module, state = next(((m, s) for m, s in path.modules if s.is_open), (None, None))
    if module is None:
        return None
    return NextStep(module, state, path.next_lessons.get(module.id))


def _next_opening(modules: list[tuple[Module, ModuleState]]) -> tuple[Module, ModuleState] | None:
    """Return the module the calendar opens next that nothing else holds back, if any."""
    waiting = [
        (state.opens_at, index)
        for index, (_module, state) in enumerate(modules)
        if state.waiting_for_calendar and state.opens_at and not state.missing_prerequisites
    ]
    return modules[min(waiting)[1]] if waiting else None


def _timeline_entry(module: Module, state: ModuleState, counts, late) -> TimelineEntry:
    """Describe a module for the timeline; only modules one may enter get a link."""
    done, total = counts.get(module.id, (0, 0))
    return TimelineEntry(
        code=module.code,
        title=module.title,
        status=str(state.status),
        prerequisites=tuple(need.code for need in module.prerequisites),
        lessons_done=done,
        lessons_total=total,
        opens_at=state.opens_at,
        closes_at=state.closes_at,
        calendar_opened=state.calendar_opened,
        is_late=state.code in late,
        href=None if state.is_locked else url_for("learning.module", module_id=module.id),
    )


def _lesson_in(module: Module, lesson_id: int) -> Lesson:
    """Load a lesson of this module, or answer 404."""
    lesson = db.get_or_404(Lesson, lesson_id)
    if lesson.module_id != module.id:
        abort(404)
    return lesson


@bp.get("/modules/<int:module_id>")
@login_required
def module(module_id: int):
    """Show an open module: its facts, calendar, lessons with their marks and competencies."""
    access = open_module_or_403(module_id)
    lessons = module_lessons(current_user, access.module)
    return render_template(
        "learning/module.html",
        access=access,
        module=access.module,
        state=access.state,
        is_late=is_late(access.state, utcnow()),
        summary=render_markdown(access.module.summary),
        lessons=lessons,
        required=[done for lesson, done in lessons if lesson.is_required],
        calendar=_calendar_entry(access.cohort, access.module),
        competencies=_competencies_of(access.module),
    )


def _calendar_entry(cohort: Cohort, module: Module) -> ModuleCalendar | None:
    """Return the cohort's calendar row for the module, if it is scheduled."""
    return db.session.scalar(
        db.select(ModuleCalendar).filter_by(cohort_id=cohort.id, module_id=module.id)
    )


def _competencies_of(module: Module) -> list[tuple[Competency, CompetencyBlock]]:
    """Return the module's competencies with their block, in the path's order (one query)."""
    query = (
        db.select(Competency, CompetencyBlock)
        .join(CompetencyBlock, CompetencyBlock.id == Competency.block_id)
        .join(module_competencies, module_competencies.c.competency_id == Competency.id)
        .where(module_competencies.c.module_id == module.id)
        .order_by(CompetencyBlock.position, Competency.position)
    )
    return [tuple(row) for row in db.session.execute(query)]


@bp.get("/modules/<int:module_id>/lessons/<int:lesson_id>")
@login_required
def lesson(module_id: int, lesson_id: int):
    """Show one lesson of an open module, its Markdown rendered safely, with its neighbours."""
    access = open_module_or_403(module_id)
    current = _lesson_in(access.module, lesson_id)
    lessons = module_lessons(current_user, access.module)
    index = next(i for i, (candidate, _done) in enumerate(lessons) if candidate.id == current.id)
    return render_template(
        "learning/lesson.html",
        module=access.module,
        lesson=current,
        is_done=lessons[index][1],
        body=render_markdown(current.body),
        resource_url=safe_link(current.url),
        previous=lessons[index - 1][0] if index > 0 else None,
        following=lessons[index + 1][0] if index + 1 < len(lessons) else None,
    )


@bp.post("/modules/<int:module_id>/lessons/<int:lesson_id>/done")
@login_required
def mark_lesson_done(module_id: int, lesson_id: int):
    """Record that the learner did a lesson of an open module, then show what comes next.

    From the module page (the default), back to the module; from the lesson page
    (``then=next``), on to the next lesson not done (see ``_after_lesson``).
    """
    access = open_module_or_403(module_id)
    current = _lesson_in(access.module, lesson_id)
    module_url = url_for("learning.module", module_id=access.module.id)
    with unit_of_work(error_redirect=module_url):
        complete_lesson(current_user, access.cohort, current)
    flash(_("“%(lesson)s” is marked as done.", lesson=current.title), "success")
    if request.form.get("then") != "next":
        return redirect(module_url)
    return redirect(_after_lesson(access, current))


def _after_lesson(access: ModuleAccess, current: Lesson) -> str:
    """Return where a learner who just did a lesson goes on to.

    The next lesson of the module not done yet; after the last one, the module page while
    something remains in it (an earlier lesson, an assessment), else the dashboard's next step.
    """
    lessons = module_lessons(current_user, access.module)
    index = next(i for i, (lesson, _done) in enumerate(lessons) if lesson.id == current.id)
    following = next((lesson for lesson, done in lessons[index + 1 :] if not done), None)
    if following is not None:
        return url_for("learning.lesson", module_id=access.module.id, lesson_id=following.id)
    if module_state(current_user, access.cohort, access.module).is_completed:
        flash(_("You have completed %(module)s.", module=access.module.code), "success")
        return url_for("learning.dashboard")
    return url_for("learning.module", module_id=access.module.id)

"""Signals through which higher domains tell what a learner still lacks in a module.

``learning`` owns progress but must not import ``assessments`` (DESIGN.md §3), so it asks, and
every receiver answers with a value (Indico's "values from signal" pattern). Two signals ask the
same question at two scales:

``module_requirements``
    Sent with ``sender=module`` (a curriculum ``Module``) and ``learner=user``. Each receiver
    returns a list of human-readable strings naming what the learner still lacks in that module
    (empty when nothing): ``[value for _, value in module_requirements.send(module, learner=u)]``.

``path_requirements``
    The batch form, used for whole-path progress so that it costs one query per receiver rather
    than one per module. Sent with ``sender=path`` (a ``TrainingPath``), ``learner=user`` and
    ``modules=[...]`` (modules of that path). Each receiver returns a dict mapping a module id to
    its list of strings; modules with nothing missing may be left out. The sender merges them.

``cohort_requirements``
    The cohort-wide form, used by the trainer's progress pages so that a whole cohort costs one
    query per receiver rather than one per learner. Sent with ``sender=path``,
    ``learners=[users]`` and ``modules=[...]``. Each receiver returns a dict mapping
    ``(user id, module id)`` to its list of strings; pairs with nothing missing may be left out.

The learning domain answers for required lessons itself. Any other domain (assessments, for
required assessments) writes ONE function and registers it, so that the scales can never
disagree. Best, a cohort-wide function registered with ``connect_cohort_requirements``, which
answers all three signals at the cost of one query per page, whatever the cohort size::

    @connect_cohort_requirements
    def missing_assessments(path, *, learners, modules):
        return {(learner.id, module.id): [...] for learner in learners for module in modules}

A per-learner batch function registered with ``connect_requirements`` answers all three as well,
but the cohort-wide signal then calls it once per learner (correct, one query per learner)::

    @connect_requirements
    def missing_assessments(path, *, learner, modules):
        return {module.id: [...] for module in modules}

Do not send these signals yourself: ask ``lms.learning.services.missing_requirements`` (batch),
``lms.learning.services.module_missing`` (one module) or
``lms.learning.cohort_progress.cohort_progress`` (a whole cohort), which add the lessons.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from blinker import Namespace

learning_signals = Namespace()

module_requirements = learning_signals.signal(
    "module-requirements",
    doc="Ask what a learner lacks in one module; receivers return a list of strings.",
)
path_requirements = learning_signals.signal(
    "path-requirements",
    doc="Ask what a learner lacks in many modules; receivers return {module id: [strings]}.",
)
cohort_requirements = learning_signals.signal(
    "cohort-requirements",
    doc="Ask what many learners lack in many modules; receivers return {(user id, module id): "
    "[strings]}.",
)

BatchReceiver = Callable[..., Mapping[int, Sequence[str]]]
CohortReceiver = Callable[..., Mapping[tuple[int, int], Sequence[str]]]

# The adapters made for each registered receiver, by signal, to disconnect them again.
_adapters: dict[Callable[..., Any], dict[Any, Callable[..., Any]]] = {}


def _connect_all(receiver: Callable[..., Any], by_signal: dict[Any, Callable[..., Any]]) -> None:
    """Connect one function per signal, remembering them under the registered receiver.

    A receiver already connected stays as it is: connecting it again (another application of the
    same process, e.g. in tests) must not make it answer twice.
    """
    if receiver in _adapters:
        return
    for signal, function in by_signal.items():
        # Strong references: adapters live only here, a weak one would vanish at once.
        signal.connect(function, weak=False)
    _adapters[receiver] = by_signal


def connect_requirements(receiver: BatchReceiver) -> BatchReceiver:
    """Connect a per-learner batch requirements receiver to all three signals (a decorator)."""

    def per_module(module: Any, *, learner: Any, **kwargs: Any) -> list[str]:
        answer = receiver(module.path, learner=learner, modules=[module])
        return list(answer.get(module.id, []))

    def per_cohort(path: Any, *, learners: Sequence[Any], modules: Sequence[Any], **kwargs: Any):
        return {
            (learner.id, module_id): items
            for learner in learners
            for module_id, items in receiver(path, learner=learner, modules=modules).items()
        }

    _connect_all(
        receiver,
        {
            path_requirements: receiver,
            module_requirements: per_module,
            cohort_requirements: per_cohort,
        },
    )
    return receiver


def connect_cohort_requirements(receiver: CohortReceiver) -> CohortReceiver:
    """Connect a cohort-wide requirements receiver to all three signals (a decorator)."""

    def per_learner(path: Any, *, learner: Any, modules: Sequence[Any], **kwargs: Any):
        answer = receiver(path, learners=[learner], modules=modules)
        return {module_id: items for (user_id, module_id), items in answer.items()}

    def per_module(module: Any, *, learner: Any, **kwargs: Any) -> list[str]:
        answer = receiver(module.path, learners=[learner], modules=[module])
        return list(answer.get((learner.id, module.id), []))

    _connect_all(
        receiver,
        {
            path_requirements: per_learner,
            module_requirements: per_module,
            cohort_requirements: receiver,
        },
    )
    return receiver


def disconnect_requirements(receiver: Callable[..., Any]) -> None:
    """Disconnect a receiver registered with either ``connect_*`` function from every signal."""
    for signal, function in _adapters.pop(receiver, {}).items():
        signal.disconnect(function)


@contextmanager
def requirements_connected(
    receiver: Callable[..., Any], *, cohort_wide: bool = False
) -> Iterator[Callable[..., Any]]:
    """Connect a requirements receiver for the duration of a ``with`` block (tests)."""
    (connect_cohort_requirements if cohort_wide else connect_requirements)(receiver)
    try:
        yield receiver
    finally:
        disconnect_requirements(receiver)


# Competency ratings: learning shows the competency profile, the assessments domain rates them.
# Sent with ``sender=path`` (a ``TrainingPath``), ``learners=[users]`` and ``audience`` (who reads
# the ratings: "learner", "staff" or None). Each receiver returns a dict mapping ``(user id,
# competency id)`` to a ``lms.learning.ratings.RatingView``; pairs with no rating are left out
# (they read "no evidence yet"); receivers accept extra keyword arguments. A receiver may link
# each piece of evidence to a page that the audience may open (a ``(label, url)`` pair), and to
# none when ``audience`` is None (no request: the URL could not even be built).
# Several receivers are merged by ``lms.learning.ratings.merge_ratings``: the most recent rating
# wins. Do not send it yourself: ask ``lms.learning.competencies`` (``competency_profile``,
# ``cohort_competency_matrix``), which send it once per page. In tests,
# ``with competency_ratings.connected_to(receiver): ...`` connects a receiver for a block.
competency_ratings = learning_signals.signal(
    "competency-ratings",
    doc="Ask the current competency ratings of learners; receivers return {(user id, competency "
    "id): RatingView}.",
)


# Last activity: the trainer's progress pages show when each learner last did something. Learning
# knows when lessons were done; other domains answer for their own work (assessments: quiz
# attempts and submissions). Sent with ``sender=path`` (a ``TrainingPath``) and
# ``learners=[users]``; each receiver returns a dict mapping a user id to an aware datetime, the
# latest activity of that learner in the path (learners with none are left out); receivers accept
# extra keyword arguments. Do not send it yourself: ``lms.learning.cohort_progress.cohort_progress``
# sends it once per page and keeps the latest answer per learner.
learners_activity = learning_signals.signal(
    "learners-activity",
    doc="Ask when learners were last active in a path; receivers return {user id: datetime}.",
)


# Other homes: a person who is neither learner, trainer nor administrator may still have work in
# a higher domain (a certification jury's member). Sent with ``sender=user`` (the current user);
# each receiver returns a list of ``(endpoint, label)`` pairs, the pages of that work, or an empty
# list. Do not send it yourself: ``lms.learning.views.other_homes`` sends it at most once per
# request, and only for such people, so that learners' and trainers' pages pay no query.
other_homes = learning_signals.signal(
    "other-homes",
    doc="Ask where a person without a cohort role has work; receivers return [(endpoint, label)].",
)


# Attendance: the trainer's progress pages and the learner's own show each learner's attendance
# rate and hours; the attendance domain keeps them. Sent with ``sender=path`` (a ``TrainingPath``),
# ``learners=[users]``, ``cohort=`` (the ``Cohort``), ``completed=`` (user id -> ids of the
# modules that learner has completed) and ``modules=`` (every module of the path): the page
# already knows both, and a receiver relies on them rather than load them again. Each receiver
# returns a dict mapping a user id to an object with ``rate`` (a ``Fraction``, or None when no
# session was held yet), ``held_minutes``, ``attended_minutes`` and ``realised_minutes``
# (attended and credited remote minutes); learners it knows nothing of are left out, and a path
# that keeps no attendance gets an empty answer; receivers accept extra keyword arguments. Do not
# send it yourself: ``lms.learning.cohort_progress.attendance_of`` sends it once per page.
learners_attendance = learning_signals.signal(
    "learners-attendance",
    doc="Ask learners' attendance in a cohort; receivers return {user id: figures}.",
)


# Calendar feed: a person's private iCalendar feed (lms.learning.calendar) shows their module
# windows, which learning knows, and what higher domains know about them (assessments: their
# deadlines; attendance: their sessions). Sent with ``sender=user`` (the feed's owner),
# ``learner_cohorts=[cohorts]`` (the active cohorts where they learn), ``trainer_cohorts=[cohorts]``
# (those they train) and ``now``; sent inside ``force_locale(user.locale)``, so that the texts
# are in the reader's language. Each receiver returns a list of
# ``lms.learning.calendar.events.CalendarEvent`` (plain values, with stable UIDs) and costs a
# constant number of queries whatever the number of items; receivers accept extra keyword
# arguments. Do not send it yourself: ``lms.learning.calendar.services.feed_events`` does.
calendar_events = learning_signals.signal(
    "calendar-events",
    doc="Ask the events of a person's calendar feed; receivers return [CalendarEvent].",
)


# Reminders: learning runs the reminder e-mails (lms.learning.reminders: once each, after the
# person's choices); higher domains say which are due. Sent with ``sender=now`` (an aware UTC
# datetime); each receiver returns a list of ``lms.learning.reminders.values.Reminder`` (plain
# values: who, what kind, about what, the mail's template and values), those due at ``now``,
# sent or not: the sender leaves out those already sent and those the person turned off.
# Receivers cost a constant number of queries and accept extra keyword arguments (``kinds``:
# the kinds asked for, None for all). Do not send it yourself:
# ``lms.learning.reminders.services.due_reminders`` does.
due_reminders = learning_signals.signal(
    "due-reminders",
    doc="Ask which reminders are due now; receivers return [Reminder].",
)


# Entry levels: the competency pages (the learner's, and the trainer's page on one learner) show
# each competency's entry level beside its current and required levels; the quality domain keeps
# the entry positioning. Sent with ``sender=cohort`` (a ``Cohort``) and ``learner=user``; each
# receiver returns a dict mapping a competency id to the entry level retained for that learner
# in that cohort (competencies with none are left out), in one query; receivers accept extra
# keyword arguments. Do not send it yourself: ``lms.learning.competencies.entry_levels_of`` does.
entry_levels = learning_signals.signal(
    "entry-levels",
    doc="Ask a learner's entry levels in a cohort; receivers return {competency id: level}.",
)

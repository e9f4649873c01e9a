"""Signals through which projects ask higher domains about a learner's project.

``project_jurors``
    Sent with ``sender=project`` (a ``Project``) and ``user=`` (the person asking to read it).
    ``projects`` must not import ``certificates`` (DESIGN.md §9), where juries live, so it asks:
    each receiver returns True when ``user`` sits, while their access lasts, on a jury whose
    candidates include the project's learner (``lms.certificates.jury.access.sits_for_project``,
    one query), else False. A juror reads the project and may record its ex post evaluation
    (``lms.projects.access``).
"""

from __future__ import annotations

from blinker import Namespace

project_signals = Namespace()

project_jurors = project_signals.signal(
    "project-jurors",
    doc="Ask whether a user sits on a jury of the project's learner (sender=project, user=).",
)

"""Questions the cohorts domain asks higher domains (blinker signals whose receivers answer).

``learners_progress_count`` asks how many learners of a cohort have recorded progress (lessons done,
submissions...). Each receiver answers with a number; a cohort whose learners have progress
cannot change its path version. The cohorts domain never imports ``learning`` or ``assessments``.
"""

from __future__ import annotations

from blinker import Namespace

cohort_signals = Namespace()

learners_progress_count = cohort_signals.signal(
    "cohort-progress",
    doc="Ask how many learners of a cohort (the sender) have progress; receivers return an int.",
)

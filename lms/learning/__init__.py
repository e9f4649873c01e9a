"""The learner's progress through the path: lesson completion and the chronology engine."""

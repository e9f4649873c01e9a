"""Grading: the trainers' queue, rubric grades with optimistic locking, release and return."""

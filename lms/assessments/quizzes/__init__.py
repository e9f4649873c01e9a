"""Quizzes for learners: attempts, server-side scoring, time limits, review."""

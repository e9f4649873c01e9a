"""Tests of the assessments results: access, completion, ratings, module list, gradebook."""

"""What assessments add up to: released grades, module completion, competency ratings, the
learner's list of a module's assessments and the trainer's gradebook.

Importing ``lms.assessments.results.services`` connects its receivers to the learning domain's
signals (module completion, competency ratings); ``lms.assessments`` does it at import.
"""

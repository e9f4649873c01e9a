"""Certificats de réalisation and attestations de fin de formation (issue 14, item 4).

The training organisation's documents about a learner's training: the certificat de réalisation
(the Ministry's model, for the funder: hours realised, their remote share) and the attestation
de fin de formation (for the learner: objectives, duration, results of the assessment). Each is
a PDF/A produced for one learner, at any date, or for a cohort (or one funder's learners) in a
batch; every production is a new numbered version, stored with its SHA-256.
"""

"""Independent (blind) double marking with a third reader, feeding a work's one final grade.

- ``definition``: the path definition's ``[modules.assessments.marking]`` (read, load, export);
- ``allocation``: who marks what (balanced automatic allocation, manual changes);
- ``services``: a marker's draft and submission (optimistic lock, frozen once submitted);
- ``reconciliation``: comparing two submitted markings, the agreement rule, the third reader;
- ``queue``, ``views``, ``forms``, ``notify``: the markers' and staff's pages and e-mails.
"""

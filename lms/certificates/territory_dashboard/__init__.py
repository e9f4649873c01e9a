"""The territory dashboard: cohorts, certification and projects of a territory, or of all.

It lives in ``certificates``, the highest domain whose figures it shows: certificates may import
projects (the grid aggregates), cohorts and learning (progress), and organisations (the
territories), while projects may not import certificates. ``projects`` aggregates the projects in
SQL, ``cohorts`` the cohorts and their certification, ``chart`` lays out the picture, ``export``
writes the CSV, ``views`` serves the pages (blueprint ``territory_dashboard``).
"""

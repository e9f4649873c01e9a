"""The training path: modules, chronology, lessons, competency blocks and competencies."""

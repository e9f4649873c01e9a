"""Domain-free helpers: errors, time, database types."""

"""Global administration: users, audit log, settings."""

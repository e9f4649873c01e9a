"""Users, authentication, sessions, permissions predicates and the audit trail."""

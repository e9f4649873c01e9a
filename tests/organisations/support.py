"""Objects of the territories' pages for the security world (tests/security/world.py)."""

from __future__ import annotations

from tests.factories import TerritoryAdministratorFactory, UserFactory


def security_world_territories(bien_vivre, other, users) -> dict:
    """Name a local administrator of the other cohort's territory (a person, not a persona)."""
    named = TerritoryAdministratorFactory(
        territory=other.cohort.territory,
        user=UserFactory(email="nestor.named@example.org", display_name="Nestor Namedquartz"),
    )
    return {"named_local_admin": named}

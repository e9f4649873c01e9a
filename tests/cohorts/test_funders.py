"""Funders: how pages name them and how a file may name them."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from lms.cohorts.funders import FUNDER_LABELS, funder_label, parse_funder
from lms.cohorts.models import Funder


def test_every_funder_has_a_label_in_french():
    assert set(FUNDER_LABELS) == set(Funder)
    with force_locale("fr"):
        labels = [funder_label(funder) for funder in Funder]
        assert labels == [
            "CPF",
            "OPCO",
            "Employeur",
            "France Travail",
            "Autofinancement",
            "Autre",
        ]
        assert funder_label(None) == "Non renseigné"
        assert funder_label("france_travail") == "France Travail"
    assert funder_label(Funder.SELF) == "Self-funded"


@pytest.mark.parametrize(
    ("text", "funder"),
    [
        ("cpf", Funder.CPF),
        (" CPF ", Funder.CPF),
        ("france_travail", Funder.FRANCE_TRAVAIL),
        ("France Travail", Funder.FRANCE_TRAVAIL),
        ("Pôle emploi", Funder.FRANCE_TRAVAIL),
        ("Employeur", Funder.EMPLOYER),
        ("autofinancement", Funder.SELF),
        ("Self-funded", Funder.SELF),
        ("Autre", Funder.OTHER),
        ("", None),
        (None, None),
    ],
)
def test_a_file_names_a_funder_by_code_or_label(text, funder):
    assert parse_funder(text) is funder


def test_an_unknown_funder_is_named_with_the_accepted_codes():
    with pytest.raises(ValueError, match="“Région” is not a known funder") as error:
        parse_funder("Région")
    assert "cpf, opco, employer, france_travail, self, other" in str(error.value)

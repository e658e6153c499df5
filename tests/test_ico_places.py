"""Column H as DPOs write it: countries by name, code and alias, several per cell, notes in brackets, regions,
destinations in words, and typos refused with the nearest names."""

import pytest

from ropa.ico.places import read_places, unknown_country_message


def _countries(cell: str) -> list[str]:
    return [p.country for p in read_places(cell)]


@pytest.mark.parametrize("cell, expected", [
    ("USA", ["US"]), ("US", ["US"]), ("United States of America", ["US"]), ("Republic of Ireland", ["IE"]),
    ("South Korea", ["KR"]), ("Holland", ["NL"]), ("FRA", ["FR"]), ("India", ["IN"]),
    ("France, Germany and Spain", ["FR", "DE", "ES"]), ("USA; India\nHolland", ["US", "IN", "NL"]),
    ("Canada / Japan", ["CA", "JP"]), ("Bosnia and Herzegovina", ["BA"]), ("Trinidad and Tobago", ["TT"]),
])
def test_countries_by_name_code_and_alias_one_transfer_each(cell, expected):
    assert _countries(cell) == expected


def test_bracketed_text_beside_a_country_is_kept_as_a_note():
    (place,) = read_places("USA (Microsoft Azure, East US)")
    assert (place.country, place.note) == ("US", "Microsoft Azure, East US")


@pytest.mark.parametrize("cell, region", [("EEA", "eea"), ("EU", "eu"), ("European Economic Area", "eea"),
                                          ("European Union", "eu"), ("EU/EEA", "eea")])
def test_regions_of_adequate_destinations(cell, region):
    assert [(p.region, p.country, p.destination) for p in read_places(cell)] == [(region, "", "")]


@pytest.mark.parametrize("cell", ["worldwide", "Global", "Outside the UK and EEA", "outside the EEA", "Not stated",
                                  "unknown", "Various"])
def test_words_that_name_no_country_are_a_destination_in_words(cell):
    assert [(p.destination, p.country, p.region) for p in read_places(cell)] == [(cell, "", "")]


@pytest.mark.parametrize("cell", ["UK", "United Kingdom", "none", "N/A", "no transfers", "", "No"])
def test_the_uk_alone_is_no_transfer(cell):
    assert read_places(cell) == ()


def test_a_typo_is_reported_with_the_nearest_names():
    (place,) = read_places("Germny")
    assert place.unknown == "Germny"
    assert unknown_country_message(place.unknown, place.suggestions) == (
        "'Germny' is not a country ropa knows — did you mean Germany?")
    assert unknown_country_message("Atlantis", ()) == "'Atlantis' is not a country ropa knows"
    assert unknown_country_message("X", ("Germany", "Guernsey")) == (
        "'X' is not a country ropa knows — did you mean Germany or Guernsey?")

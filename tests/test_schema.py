"""The MusicXML 4.0 schema travels with the tests (no ../shared needed), whole, with its licence, and validates."""

from __future__ import annotations

import re

from sketchbook.formats.musicxml import piece_to_musicxml
from sketchbook.load import load_motif
from sketchbook.request import develop_variation
from tests.conftest import REPO
from tests.schema import SCHEMA_DIR, SCHEMAS_PRESENT, validate_musicxml


def test_the_schema_is_vendored_inside_the_repository_with_its_licence():
    assert SCHEMAS_PRESENT
    assert SCHEMA_DIR.is_relative_to(REPO / "tests")
    licence = (SCHEMA_DIR / "LICENSE.md").read_text(encoding="utf-8")
    assert "**MusicXML 4.0**" in licence and "Final Specification" in licence and "(FSA)" in licence


def test_every_file_the_catalog_and_the_xsd_name_is_there_and_local():
    catalog = (SCHEMA_DIR / "catalog.xml").read_text(encoding="utf-8")
    named = set(re.findall(r'uri="([^"]+)"', catalog))
    assert {"musicxml.xsd", "partwise.dtd", "xml.xsd", "xlink.xsd", "note.mod"} <= named
    assert not [name for name in named if not (SCHEMA_DIR / name).is_file()]
    xsd = (SCHEMA_DIR / "musicxml.xsd").read_text(encoding="utf-8")
    locations = re.findall(r'schemaLocation="([^"]+)"', xsd)
    assert locations and all("://" not in where and (SCHEMA_DIR / where).is_file() for where in locations)


def test_a_developed_score_validates_and_a_broken_one_does_not():
    data = piece_to_musicxml(develop_variation(load_motif("tide"), "beach", seed=1).piece)
    assert validate_musicxml(data) == []
    misspelt = data.replace(b"<divisions>", b"<divisons>", 1).replace(b"</divisions>", b"</divisons>", 1)
    problems = validate_musicxml(misspelt)
    assert any(p.startswith("XSD") for p in problems) and any(p.startswith("DTD") for p in problems)

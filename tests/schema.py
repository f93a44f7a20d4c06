"""Offline MusicXML 4.0 validation for tests: the W3C XSD plus the partwise DTD.

The schema is vendored in tests/schemas/musicxml-4.0 (a copy of ../shared/schemas/musicxml-4.0, with its LICENSE.md:
the W3C Final Specification Agreement allows copies that name MusicXML 4.0), so schema tests run in any checkout.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas" / "musicxml-4.0"
# Always true in a whole checkout; a test that reads it as a skip condition runs (tests/test_schema.py fails instead
# when the vendored files are missing).
SCHEMAS_PRESENT = (SCHEMA_DIR / "musicxml.xsd").is_file() and (SCHEMA_DIR / "catalog.xml").is_file()


class _CatalogResolver(etree.Resolver):
    """Answer DTD look-ups from the local catalog; anything else gets an empty entity, never the network."""

    def __init__(self, entries: dict[str, Path]) -> None:
        super().__init__()
        self.entries = entries

    def resolve(self, system_url, public_id, context):
        for name in (public_id, system_url, Path(system_url or "").name):
            path = self.entries.get(name or "")
            if path is not None:
                return self.resolve_filename(str(path), context)
        return self.resolve_string("", context)


@cache
def _catalog() -> dict[str, Path]:
    """Public and system ids from catalog.xml, plus each local file's bare name, mapped to local paths."""
    ns = "{urn:oasis:names:tc:entity:xmlns:xml:catalog}"
    entries = {}
    for entry in etree.parse(str(SCHEMA_DIR / "catalog.xml")).iter(f"{ns}public", f"{ns}system", f"{ns}uri"):
        target = SCHEMA_DIR / entry.get("uri")
        key = entry.get("publicId") or entry.get("systemId") or entry.get("name")
        if key and target.is_file():
            entries[key] = target
            entries[target.name] = target
    return entries


@cache
def _xsd() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "musicxml.xsd"), parser))


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(load_dtd=True, no_network=True, resolve_entities=False)
    parser.resolvers.add(_CatalogResolver(_catalog()))
    return parser


def validate_musicxml(path_or_bytes: Path | str | bytes) -> list[str]:
    """Problems found by the MusicXML 4.0 XSD and the partwise DTD; an empty list means valid."""
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_bytes()
    try:
        doc = etree.fromstring(data, _parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed: {exc}"]
    problems = []
    xsd = _xsd()
    if not xsd.validate(doc):
        problems += [f"XSD line {e.line}: {e.message}" for e in xsd.error_log]
    dtd = doc.docinfo.externalDTD
    if doc.docinfo.system_url != "http://www.musicxml.org/dtds/partwise.dtd" or dtd is None:
        problems.append(f"DOCTYPE does not name the partwise 4.0 DTD: {doc.docinfo.doctype!r}")
    elif not dtd.validate(doc):
        problems += [f"DTD line {e.line}: {e.message}" for e in dtd.error_log]
    return problems

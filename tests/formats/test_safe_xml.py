"""The hardened MusicXML reader: what it keeps, where it stops, and that it agrees with music21."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from sketchbook.formats.motif_files import _score_to_motif, read_musicxml_motif
from sketchbook.formats.safe_xml import MAX_MEASURES, MAX_TIME_SIGNATURES, read_score_tree
from sketchbook.music.errors import SketchbookError
from tests.nasty import CONTAINER, mxl, score_xml, valid_score, xml_note

BAR = xml_note("C") + xml_note("E") + xml_note("G") + xml_note("C", 5)


def test_only_the_first_part_and_its_first_measures_are_kept(tmp_path):
    path = tmp_path / "long.musicxml"
    path.write_text(score_xml([BAR] * (MAX_MEASURES + 36), parts=3))
    root, cut = read_score_tree(path)
    assert [p.get("id") for p in root.iter("part")] == ["P1"]
    assert [s.get("id") for s in root.find("part-list")] == ["P1"]  # music21 wants a part per score-part
    assert len(root.find("part").findall("measure")) == MAX_MEASURES
    assert cut == f"the first {MAX_MEASURES} measures of its first part"
    short = tmp_path / "short.musicxml"
    short.write_text(score_xml([BAR] * 3, parts=2))
    assert read_score_tree(short)[1] == ""


def test_reading_stops_at_too_many_time_signatures(tmp_path):
    changes = [f"<attributes><time><beats>{3 + n % 2}</beats><beat-type>4</beat-type></time></attributes>{BAR}"
               for n in range(30)]
    path = tmp_path / "changes.musicxml"
    path.write_text(score_xml(changes))
    root, cut = read_score_tree(path)
    assert len(list(root.iter("time"))) == MAX_TIME_SIGNATURES
    assert f"before time signature {MAX_TIME_SIGNATURES + 1}" in cut


def test_reading_stops_before_an_unsupported_later_time_signature(tmp_path):
    odd = "<attributes><time><beats>1e308</beats><beat-type>4</beat-type></time></attributes>"
    path = tmp_path / "odd.musicxml"
    path.write_text(score_xml([BAR] * 4 + [xml_note("D") + odd + xml_note("F")] + [BAR] * 4))
    root, cut = read_score_tree(path)
    assert len(list(root.iter("time"))) == 1 and len(root.find("part").findall("measure")) == 5
    assert cut == "its first part before the time signature '1e308/4' in measure 5"
    motif = read_musicxml_motif(path)
    assert [n.pitch for n in motif.notes] == [60, 64, 67, 72] * 4


@pytest.mark.parametrize(
    "beats, beat_type, meter",
    [("3+2+3", "8", "8/8"), ("32", "1", "32/1"), ("1", "32", "1/32"),
     ("3</beats><beat-type>8</beat-type><beats>2</beats><beat-type>8</beat-type><beats>3", "4", "11/8")],
)
def test_supported_time_signatures_pass(tmp_path, beats, beat_type, meter):
    path = tmp_path / "ok.musicxml"
    path.write_text(score_xml([BAR * 8], beats=beats, beat_type=beat_type))
    assert read_score_tree(path)[1] == ""
    assert str(read_musicxml_motif(path).meter) == meter


@pytest.mark.parametrize("beats, beat_type", [("1e308", "4"), ("100000", "4"), ("40+40", "1"), ("3", "256"),
                                              ("1+1+1+1+1", "4"), ("0", "4")])
def test_time_signatures_music21_chokes_on_are_refused(tmp_path, beats, beat_type):
    path = tmp_path / "odd.musicxml"
    path.write_text(score_xml([BAR], beats=beats, beat_type=beat_type))
    with pytest.raises(SketchbookError, match=f"time signature '{re.escape(beats)}/{beat_type}' is not supported"):
        read_musicxml_motif(path)


def test_an_internal_subset_without_entities_is_fine(tmp_path):
    prolog = '<!DOCTYPE score-partwise [<!ELEMENT note ANY><!ATTLIST note color CDATA "#000000">]>'
    path = tmp_path / "subset.musicxml"
    path.write_text(score_xml([BAR], prolog=prolog))
    assert len(read_musicxml_motif(path).notes) == 4


def test_the_container_names_the_score(tmp_path):
    path = tmp_path / "nested.mxl"
    path.write_bytes(mxl({"META-INF/container.xml": CONTAINER.format(path="scores/real.musicxml"),
                          "decoy.musicxml": score_xml([xml_note("A") * 4]),
                          "scores/real.musicxml": valid_score()}))
    assert [n.pitch for n in read_musicxml_motif(path).notes] == [60, 62, 64, 65, 67, 65, 64, 62]


def test_utf16_scores_are_read(tmp_path):
    path = tmp_path / "wide.musicxml"
    path.write_bytes(valid_score().replace("UTF-8", "UTF-16").encode("utf-16"))
    assert len(read_musicxml_motif(path).notes) == 8


def test_an_element_flood_is_refused(tmp_path):
    path = tmp_path / "flood.musicxml"
    path.write_text(score_xml(["<print/>" * 200_001]))
    with pytest.raises(SketchbookError, match="over 100000 XML elements"):
        read_musicxml_motif(path)


CORPUS = Path(__import__("music21").__file__).parent / "corpus"


@pytest.mark.parametrize(
    "work",
    ["bach/bwv66.6.mxl", "schoenberg/opus19/movement2.mxl", "beethoven/opus18no1/movement1.mxl",
     "leadSheet/fosterBrownHair.mxl", "monteverdi/madrigal.3.1.mxl"],
)
def test_agrees_with_music21_reading_the_whole_score(work):
    """The guarded, cut-down read gives the same motif as music21 parsing everything itself."""
    from music21 import converter

    path = CORPUS / work
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = converter.parse(path, forceSource=True)
    assert read_musicxml_motif(path) == _score_to_motif(whole, path)

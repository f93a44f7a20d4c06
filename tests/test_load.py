"""Finding motifs: the bundled ones, files of each kind, inline tinyNotation, and every bad spec."""

from __future__ import annotations

import os
import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

import mido
import pytest

from sketchbook.load import (
    DEFAULT_MOTIF,
    MAX_FILE_BYTES,
    MAX_MOTIF_BARS,
    MOTIFS_DIR,
    BundledMotif,
    bundled_motifs,
    load_motif,
)
from sketchbook.music.errors import SketchbookError
from sketchbook.music.model import Key, Meter
from sketchbook.music.theory import fifths

BUNDLED = sorted(Path(__file__).resolve().parent.parent.joinpath("motifs").glob("*.tn"))


@pytest.mark.skipif("SKETCHBOOK_MOTIFS" in os.environ, reason="the motifs folder is overridden")
def test_motifs_dir_is_inside_the_package_and_the_repo_folder_points_there():
    package = Path(__file__).resolve().parent.parent / "sketchbook"
    assert package / "motifs" == MOTIFS_DIR
    assert [m.path.name for m in bundled_motifs()] == [p.name for p in BUNDLED]
    assert (package.parent / "motifs").resolve() == MOTIFS_DIR.resolve()


def test_bundled_motifs_are_listed_by_name_with_descriptions():
    motifs = bundled_motifs()
    assert len(motifs) >= 6
    assert all(isinstance(m, BundledMotif) for m in motifs)
    assert [m.name for m in motifs] == sorted(m.name for m in motifs)
    assert DEFAULT_MOTIF in {m.name for m in motifs}
    for m in motifs:
        assert m.description and "\n" not in m.description
        assert not m.description.lower().startswith(("key:", "pickup:"))


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_each_bundled_motif_is_a_short_melody_matching_music21(path):
    from music21 import converter

    motif = load_motif(path.stem)
    assert motif.name == path.stem
    assert 2 <= motif.bars <= 4
    assert len({n.pitch for n in motif.notes}) >= 4
    assert all(a.end <= b.start for a, b in zip(motif.notes, motif.notes[1:]))
    assert motif.description == next(m.description for m in bundled_motifs() if m.name == path.stem)
    body = " ".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("#"))
    stream = converter.parse("tinyNotation: " + body).stripTies()
    written = [(n.pitch.midi, F(n.offset).limit_denominator(1000)) for n in stream.flatten().notes]
    assert [(n.pitch, n.start) for n in motif.notes] == written
    assert str(motif.meter) == stream.recurse().getElementsByClass("TimeSignature").first().ratioString


def test_bundled_motifs_are_varied():
    motifs = [load_motif(m.name) for m in bundled_motifs()]
    texts = [m.path.read_text() for m in bundled_motifs()]
    assert {Meter(3, 4), Meter(4, 4), Meter(6, 8)} <= {m.meter for m in motifs}
    assert {m.key.mode for m in motifs} == {"major", "minor"}
    assert len({m.key.tonic for m in motifs}) >= 5
    assert any(fifths(m.key) > 0 for m in motifs) and any(fifths(m.key) < 0 for m in motifs)
    assert any(m.pickup > 0 for m in motifs)
    # A rest shows as a gap between notes, a late first note, or silence before the last bar line.
    assert sum(any(a.end < b.start for a, b in zip(m.notes, m.notes[1:])) or m.notes[0].start > 0
               or m.notes[-1].end < m.length for m in motifs) >= 3
    assert sum("~" in t for t in texts) >= 2
    assert any("trip{" in t for t in texts)


def test_default_motif_is_gentle_and_slow_moving():
    motif = load_motif(None)
    assert motif.name == DEFAULT_MOTIF
    assert motif.meter == Meter(3, 4)
    assert motif.key.mode == "major"
    # Floaty: long notes on average, nothing faster than a quarter.
    assert min(n.duration for n in motif.notes) >= 1
    assert sum(n.duration for n in motif.notes) / len(motif.notes) >= F(3, 2)


def test_inline_tinynotation():
    motif = load_motif("3/4 e'4 d'8 c' d'4 g2.")
    assert motif.name == "inline"
    assert motif.meter == Meter(3, 4)
    assert [n.pitch for n in motif.notes] == [76, 74, 72, 74, 67]
    assert motif.bars == 2


def test_text_motif_file(tmp_path):
    path = tmp_path / "rise.tn"
    path.write_text("# Rising.\n# key: G major\n# pickup: 1\nd4 g a b c'1\n")
    motif = load_motif(str(path))
    assert (motif.name, motif.description, motif.key, motif.pickup) == ("rise", "Rising.", Key(7, "major"), 1)


def test_midi_and_musicxml_files_by_path(tmp_path):
    from music21 import note, stream

    midi = mido.MidiFile(ticks_per_beat=96)
    midi.tracks.append(mido.MidiTrack(mido.Message.from_str(line) for line in (
        "note_on channel=0 note=64 velocity=70 time=0",
        "note_off channel=0 note=64 velocity=0 time=96",
        "note_on channel=0 note=67 velocity=70 time=0",
        "note_off channel=0 note=67 velocity=0 time=192",
    )))
    midi.save(tmp_path / "two.midi")
    assert [(n.pitch, n.duration) for n in load_motif(str(tmp_path / "two.midi")).notes] == [(64, 1), (67, 2)]
    part = stream.Part([note.Note("A4", quarterLength=2), note.Note("C5", quarterLength=2)])
    part.partName = "Tune"
    path = stream.Score([part]).write("musicxml", fp=tmp_path / "two.musicxml")
    assert [n.pitch for n in load_motif(str(path)).notes] == [69, 72]


def test_motifs_folder_from_argument_and_environment(tmp_path, monkeypatch):
    (tmp_path / "solo.tn").write_text("# Just one.\nc'1\n")
    assert [m.name for m in bundled_motifs(tmp_path)] == ["solo"]
    assert load_motif("solo", motifs_dir=tmp_path).description == "Just one."
    monkeypatch.setenv("SKETCHBOOK_MOTIFS", str(tmp_path))
    assert [m.name for m in bundled_motifs()] == ["solo"]
    with pytest.raises(SketchbookError, match="default motif"):
        load_motif(None)


def test_motifs_dir_env_is_read_at_import(tmp_path):
    code = "import sketchbook.load as l; print(l.MOTIFS_DIR)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "SKETCHBOOK_MOTIFS": str(tmp_path)})
    assert out.stdout.strip() == str(tmp_path)


def test_loading_text_motifs_does_not_import_music21_or_mido():
    code = (
        "import sys; from sketchbook.load import load_motif; load_motif(None); load_motif('c d e');"
        "print(sorted(m for m in ('music21', 'mido', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _error(spec: str, **kwargs) -> str:
    with pytest.raises(SketchbookError) as caught:
        load_motif(spec, **kwargs)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_unknown_name():
    assert _error("beach-waves") == (
        "unknown motif 'beach-waves': not a bundled motif (see `sketchbook motifs`), a file, or tinyNotation"
    )


@pytest.mark.parametrize("name", ["gone.mid", "gone.midi", "gone.musicxml", "gone.xml", "gone.mxl", "gone.tn"])
def test_missing_files_are_named(tmp_path, name):
    assert _error(str(tmp_path / name)) == f"motif file not found: {tmp_path / name}"


def test_unsupported_file_type(tmp_path):
    path = tmp_path / "tune.abc"
    path.write_text("X:1\nK:C\nCDE|\n")
    assert "is not one of" in _error(str(path))


def test_unparsable_inline_names_the_token():
    assert "'h4'" in _error("c4 d4 h4")


def test_over_long_inline_motif_states_the_limit():
    message = _error("c1 " * (MAX_MOTIF_BARS + 1))
    assert f"limited to {MAX_MOTIF_BARS} bars" in message
    assert load_motif("c1 " * MAX_MOTIF_BARS).bars == MAX_MOTIF_BARS


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"# fine\nc d e q\n", "'q'"),
        (b"# fine\n# key: Q major\nc d e\n", "key 'Q major'"),
        (b"\xff\xfe\x00c d e", "not UTF-8"),
        (b"# only words\n", "no notes"),
        (b"# eleven bars\n" + b"c1 " * 11, "limited to 8 bars"),
    ],
)
def test_bad_text_motif_files(tmp_path, content, fragment):
    path = tmp_path / "bad.tn"
    path.write_bytes(content)
    assert fragment in _error(str(path))


def test_oversized_text_motif(tmp_path):
    path = tmp_path / "huge.tn"
    path.write_bytes(b"c " * (MAX_FILE_BYTES // 2 + 1))
    assert "limited to" in _error(str(path))


def test_empty_spec():
    assert "empty motif" in _error("   ")

"""Hostile input for every motif loader: random bytes, mutated valid files, absurd values, the corpus.

Each input must either load as a valid Motif or raise SketchbookError with a one-line message, in a
few seconds and bounded memory; through the CLI it must exit 2 with one stderr line and write nothing.
"""

from __future__ import annotations

import socket
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sketchbook.formats import safe_xml
from sketchbook.formats.motif_files import MAX_NOTES, read_midi_motif, read_musicxml_motif
from sketchbook.formats.smf import MAX_TRACKS
from sketchbook.formats.tinynotation import MAX_TUPLET_DEPTH, parse_motif_text, parse_tinynotation
from sketchbook.load import FILE_MOTIF_BARS, MAX_MOTIF_BARS, load_motif, read_text_motif
from sketchbook.music.errors import SketchbookError
from sketchbook.music.model import Motif
from tests import nasty
from tests.nasty import (
    CONTAINER,
    DOCTYPE,
    key_signature,
    meta,
    mxl,
    note_off,
    note_on,
    score_xml,
    smf,
    tempo,
    time_signature,
    track,
    valid_midi,
    valid_mxl,
    valid_score,
    vlq,
    xml_note,
)

CORPUS = Path(__file__).resolve().parent / "corpus"
SECONDS = 5.0  # per input; the loaders' own guards keep real cases well under one second
MEGABYTES = 200  # peak Python allocation while reading one of the big inputs
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def safely(load, target, *, bars: int = FILE_MOTIF_BARS) -> Motif | None:
    """Load ``target``; a Motif must be valid, an error must be one SketchbookError line, both fast."""
    began = time.monotonic()
    try:
        motif = load(target)
    except SketchbookError as error:
        message = str(error)
        assert message.strip() and len(message) < 600
        assert not any(c in message for c in "\n\r\x00"), repr(message)
        motif = None
    else:
        assert isinstance(motif, Motif)
        # Rebuilding runs every model check again (pitch range, positive lengths, pickup < bar).
        assert Motif(motif.name, motif.notes, motif.key, motif.meter, motif.pickup, motif.description) == motif
        assert all(0 <= n.pitch <= 127 and n.duration > 0 and n.start >= 0 for n in motif.notes)
        assert motif.bars <= bars
    assert time.monotonic() - began < SECONDS
    return motif


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def as_file(folder: Path, name: str, data: bytes | str) -> Path:
    return nasty.write(folder, name, data)


# --- the regression corpus ------------------------------------------------------------------

# Files that hold a real (if odd) motif; every other corpus file must be refused with this fragment.
LOADS = {
    "midi-huge-deltas.mid", "midi-key-signature-absurd.mid", "midi-never-released.mid",
    "midi-notes-over-127.mid", "midi-tempo-zero-and-huge.mid", "midi-ticks-per-beat-max.mid",
    "xml-giant-duration.musicxml", "xml-octave-absurd.musicxml", "xml-three-parts.musicxml",
    "xml-tuplet-1000-to-1.musicxml",
}
REFUSED = {
    "midi-2000-tracks.mid": f"more than {MAX_TRACKS} tracks",
    "midi-chunk-length-huge.mid": "cut short",
    "midi-empty.mid": "is empty",
    "midi-header-cut.mid": "MIDI header",
    "midi-meta-overruns.mid": "cut short",
    "midi-no-tracks.mid": "no tracks",
    "midi-only-drums.mid": "no pitched notes",
    "midi-riff-wrapped.mid": "MIDI header",
    "midi-running-status-first.mid": "data byte where a status byte belongs",
    "midi-smpte.mid": "SMPTE",
    "midi-sysex-overruns.mid": "cut short",
    "midi-ticks-per-beat-zero.mid": "zero timing",
    "midi-time-signature-0-over-1.mid": "unsupported time signature",
    "midi-time-signature-255-over-2-255.mid": "unsupported time signature",
    "midi-track-cut.mid": "cut short",
    "midi-unknown-status.mid": "unknown status byte 0xF4",
    "midi-varlen-five-bytes.mid": "over 4 bytes",
    "mxl-300-members.mxl": f"limited to {safe_xml.MAX_MXL_MEMBERS}",
    "mxl-absolute-path.mxl": "unsafe name",
    "mxl-backslash-path.mxl": "unsafe name",
    "mxl-container-points-nowhere.mxl": "not in the archive",
    "mxl-container-without-rootfile.mxl": "names no score",
    "mxl-container-xxe.mxl": "declares XML entities",
    "mxl-cut-short.mxl": "not a readable .mxl",
    "mxl-declared-huge.mxl": f"the limit is {safe_xml.MAX_XML_BYTES} bytes",
    "mxl-drive-letter.mxl": "unsafe name",
    "mxl-encrypted.mxl": "encrypted",
    "mxl-lying-size.mxl": "not a readable .mxl",
    "mxl-no-container.mxl": "no META-INF/container.xml",
    "mxl-not-a-zip.mxl": "not a readable .mxl",
    "mxl-path-traversal.mxl": "unsafe name",
    "mxl-score-xxe.mxl": "declares XML entities",
    "mxl-zip-bomb.mxl": f"the limit is {safe_xml.MAX_XML_BYTES} bytes",
    "tn-10000-notes.tn": "more than 5000 notes",
    "tn-bracket-never-closed.tn": "unclosed",
    "tn-huge-meter.tn": "limited to 100 characters",
    "tn-meter-0-over-0.tn": "numerator 0",
    "tn-nested-tuplets.tn": f"nest at most {MAX_TUPLET_DEPTH} deep",
    "tn-not-utf8.tn": "not UTF-8",
    "tn-nul-bytes.tn": "\\x00",
    "tn-octave-marks-run.tn": "limited to 100 characters",
    "tn-only-comments.tn": "no notes",
    "tn-pickup-exponent.tn": "pickup '1e999999999'",
    "tn-pitch-out-of-range.tn": "outside MIDI range",
    "tn-tie-to-rest.tn": "a tie must join",
    "xml-100-empty-measures.musicxml": f"no pitched notes in the first {safe_xml.MAX_MEASURES} measures",
    "xml-alter-nan.musicxml": "accidental nan",
    "xml-billion-laughs.musicxml": "declares XML entities",
    "xml-cut-short.musicxml": "not well-formed XML",
    "xml-unknown-encoding.musicxml": "unknown text encoding",
    "xml-deep-nesting.musicxml": f"over {safe_xml.MAX_DEPTH} deep",
    "xml-divisions-zero.musicxml": "divides by zero",
    "xml-html-page.xml": "not a partwise score",
    "xml-long-tag.musicxml": f"tag over {safe_xml.MAX_TAG_BYTES} bytes",
    "xml-negative-duration.musicxml": "must not be negative",
    "xml-no-part-list.musicxml": "no parts",
    "xml-parameter-entity.musicxml": "declares XML entities",
    "xml-quadratic-blowup.musicxml": "declares XML entities",
    "xml-time-0-over-0.musicxml": "time signature '0/0' is not supported",
    "xml-time-huge.musicxml": "time signature '1000000/1000000'",
    "xml-timewise.musicxml": "not a partwise score",
    "xml-xxe-network.musicxml": "declares XML entities",
    "xml-xxe-passwd.musicxml": "declares XML entities",
    "xml-xxe-utf16.musicxml": "declares XML entities",
}
CORPUS_FILES = sorted(p for p in CORPUS.iterdir() if p.is_file())


def test_corpus_is_complete():
    """Every corpus file has an expectation here, and `python -m tests.nasty` rebuilds them all."""
    assert {p.name for p in CORPUS_FILES} == LOADS | set(REFUSED) == set(nasty.corpus())


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_file(path):
    motif = safely(load_motif, str(path), bars=MAX_MOTIF_BARS)
    if path.name in LOADS:
        assert motif is not None
    else:
        assert motif is None
        with pytest.raises(SketchbookError) as caught:
            load_motif(str(path))
        assert REFUSED[path.name] in str(caught.value)
        assert "root:" not in str(caught.value)  # nothing from /etc/passwd


@pytest.mark.parametrize("path", [p for p in CORPUS_FILES if p.name in REFUSED], ids=lambda p: p.name)
def test_corpus_file_through_the_cli(runner, tmp_path, path):
    from sketchbook.cli import app

    out = tmp_path / "out"
    result = runner.invoke(app, ["develop", str(path), "--out", str(out), "--name", "x"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert REFUSED[path.name] in lines[0]
    assert "Traceback" not in result.output + result.stderr
    assert not out.exists()


# --- MIDI ---------------------------------------------------------------------------------------


def mostly(sane, odd):
    """Sane values three times in four, so that fuzzing gets past the first checks and deep inside."""
    return st.one_of(sane, sane, sane, odd)


deltas = st.one_of(st.integers(0, 960), st.sampled_from([0x7F, 0x80, 0x3FFF, 0x0FFFFFFF]))
small = st.integers(0, 255)
notes = st.builds(lambda d, p, v, length, ch: note_on(d, p, v, ch) + note_off(length, p, ch),
                  deltas, mostly(st.integers(21, 108), small), small, deltas, st.integers(0, 15))
midi_events = st.one_of(
    notes, notes, notes,
    st.builds(lambda d, p: note_on(d, p), deltas, small),
    st.builds(lambda d, s, a, b: vlq(d) + bytes([s, a, b]), deltas, st.integers(0x80, 0xEF), small, small),
    st.builds(lambda d, a, b: vlq(d) + bytes([a & 0x7F, b & 0x7F]), deltas, small, small),  # running status
    st.builds(time_signature, small, small),
    st.builds(key_signature, st.integers(-128, 127), small),
    st.builds(tempo, st.sampled_from([0, 1, 500_000, 0xFFFFFF])),
    st.builds(meta, deltas, st.integers(0, 127), st.binary(max_size=12)),
    st.builds(lambda d, data: vlq(d) + b"\xf0" + vlq(len(data)) + data, deltas, st.binary(max_size=12)),
    st.binary(max_size=6),
)
midi_files = st.builds(
    lambda tracks, division, kind, count: smf(*tracks, division=division, kind=kind, count=count),
    st.lists(st.builds(lambda events, end: track(*events, end=end), st.lists(midi_events, max_size=25),
                       mostly(st.just(True), st.just(False))), min_size=1, max_size=5),
    mostly(st.integers(1, 2000), st.sampled_from([0, 1, 0x7FFF, 0x8000, 0xE728, 0xFFFF])),
    st.integers(0, 3),
    st.one_of(st.none(), st.integers(0, 65535)),
)


@st.composite
def mutations(draw, base: bytes) -> bytes:
    """A valid file damaged a few times: cut, bytes flipped, junk inserted, runs deleted, fields maxed."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        kind = draw(st.sampled_from(["cut", "flip", "insert", "delete", "field"]))
        if kind == "cut":
            del data[at:]
        elif kind == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        else:
            data[at : at + 4] = draw(st.sampled_from([b"\xff\xff\xff\xff", b"\0\0\0\0", b"\x7f\xff\xff\xff"]))
    return bytes(data)


@FUZZ
@given(midi_files)
def test_fuzzed_midi_structure(scratch, data):
    safely(read_midi_motif, as_file(scratch, "f.mid", data), bars=MAX_MOTIF_BARS)  # a played take keeps 8 bars


@FUZZ
@given(st.one_of(mutations(valid_midi()), mutations(valid_midi([72, 76, 79, 84], tpb=96))))
def test_mutated_midi(scratch, data):
    safely(read_midi_motif, as_file(scratch, "m.mid", data), bars=MAX_MOTIF_BARS)


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.binary(max_size=300).map(lambda b: b"MThd\0\0\0\x06" + b)))
def test_random_bytes_as_midi(scratch, data):
    safely(read_midi_motif, as_file(scratch, "r.mid", data), bars=MAX_MOTIF_BARS)


def test_midi_absurd_values_still_give_a_valid_motif(scratch):
    data = smf(track(tempo(0), key_signature(100, 9), note_on(0x0FFFFFFF, 200, 255), note_off(0x0FFFFFFF, 200)),
               division=1)
    motif = safely(read_midi_motif, as_file(scratch, "absurd.mid", data), bars=MAX_MOTIF_BARS)
    assert [(n.pitch, n.start) for n in motif.notes] == [(127, 0)]  # data bytes clip to 127, as in mido


def _peak_megabytes(load, target) -> float:
    """Peak Python allocation while loading (not timed: tracing makes Python several times slower)."""
    tracemalloc.start()
    try:
        try:
            load(target)
        except SketchbookError:
            pass
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_midi_with_too_many_notes_is_refused_quickly(scratch):
    events = b"".join(note_on(1, 60 + i % 24) + note_off(1, 60 + i % 24) for i in range(MAX_NOTES + 1))
    path = as_file(scratch, "many.mid", smf(track(events)))
    assert safely(read_midi_motif, path) is None
    with pytest.raises(SketchbookError, match=f"more than {MAX_NOTES} notes"):
        read_midi_motif(path)


def test_midi_with_a_thousand_tracks_loads(scratch):
    tracks = [track(note_on(480 * i, 40 + i % 60), note_off(480, 40 + i % 60)) for i in range(1000)]
    motif = safely(read_midi_motif, as_file(scratch, "tracks.mid", smf(*tracks)), bars=MAX_MOTIF_BARS)
    assert [n.pitch for n in motif.notes] == [40 + i for i in range(16)]


# --- MusicXML -----------------------------------------------------------------------------------

numbers = st.one_of(
    st.integers(-3, 24),
    st.sampled_from(["0", "-1", "1.5", "1e308", "1e-300", "nan", "inf", "", "x", "99999999999999999999",
                     "9" * 5000]),
)
small_counts = mostly(st.integers(1, 8), numbers)
tuplets = st.builds(
    lambda a, n: f"<time-modification><actual-notes>{a}</actual-notes><normal-notes>{n}</normal-notes>"
                 "</time-modification>", numbers, numbers)
extras = st.one_of(st.just(""), tuplets, st.sampled_from(['<tie type="start"/>', '<tie type="stop"/>',
                                                          "<voice>2</voice>", "<type>breve</type>",
                                                          "<dot/><dot/><dot/>"]))
xml_notes = st.builds(xml_note, st.sampled_from("CDEFGABH"), mostly(st.integers(2, 6), numbers), small_counts,
                      alter=st.one_of(st.none(), st.none(), st.sampled_from([-1, 1]), numbers), extra=extras,
                      chord=mostly(st.just(False), st.just(True)))
others = (
    st.builds(lambda kind, d: f"<{kind}><duration>{d}</duration></{kind}>", st.sampled_from(["backup", "forward"]),
              small_counts)
    | st.builds(lambda d: f"<note><rest/><duration>{d}</duration></note>", small_counts)
    | st.just("<note><grace/><pitch><step>D</step><octave>5</octave></pitch></note>")
)
measures = st.lists(st.lists(st.one_of(xml_notes, xml_notes, others), min_size=1, max_size=6).map("".join),
                    min_size=1, max_size=10)
scores = st.builds(score_xml, measures, divisions=small_counts,
                   beats=mostly(st.sampled_from([2, 3, 4, 6, "3+2"]), numbers),
                   beat_type=mostly(st.sampled_from([4, 8]), numbers), fifths=mostly(st.integers(-7, 7), numbers),
                   parts=st.integers(1, 3))


@FUZZ
@given(scores)
def test_fuzzed_musicxml_values(scratch, text):
    safely(read_musicxml_motif, as_file(scratch, "f.musicxml", text))


@FUZZ
@given(mutations(valid_score().encode()))
def test_mutated_musicxml(scratch, data):
    safely(read_musicxml_motif, as_file(scratch, "m.musicxml", data))


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.text(alphabet="<>/=\"' &;!?[]-abcdpartmesure", max_size=300)))
def test_random_bytes_as_musicxml(scratch, data):
    safely(read_musicxml_motif, as_file(scratch, "r.xml", data))


def test_musicxml_with_too_many_notes_is_refused(scratch):
    path = as_file(scratch, "dense.musicxml", score_xml([xml_note() * (safe_xml.MAX_NOTES + 1)]))
    with pytest.raises(SketchbookError, match=f"over {safe_xml.MAX_NOTES} notes"):
        read_musicxml_motif(path)


def test_long_musicxml_reads_only_its_first_measures(scratch):
    bars = [xml_note("C") + xml_note("E") + xml_note("G") + xml_note("C", 5)] * 20_000  # about 2.5 MB
    path = as_file(scratch, "long.musicxml", score_xml(bars, parts=2))
    motif = safely(read_musicxml_motif, path)
    assert [n.pitch for n in motif.notes] == [60, 64, 67, 72] * FILE_MOTIF_BARS
    assert _peak_megabytes(read_musicxml_motif, path) < MEGABYTES


def test_external_entities_are_never_read_and_nothing_goes_to_the_network(scratch, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the MusicXML reader tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    secret = scratch / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    for system in (secret.as_uri(), "http://127.0.0.1:9/x", "file:///etc/passwd"):
        prolog = f'<?xml version="1.0"?><!DOCTYPE score-partwise [<!ENTITY s SYSTEM "{system}">]>'
        path = as_file(scratch, "xxe.musicxml", score_xml(["".join(xml_note() for _ in range(4))],
                                                          prolog=prolog, name="&s;"))
        with pytest.raises(SketchbookError, match="declares XML entities") as caught:
            read_musicxml_motif(path)
        assert "TOP-SECRET" not in str(caught.value) and "root:" not in str(caught.value)
    # A plain DOCTYPE naming the public DTD on the web is fine: it is never fetched.
    assert safely(read_musicxml_motif, as_file(scratch, "dtd.musicxml", valid_score())) is not None
    assert valid_score().startswith(DOCTYPE)


def test_a_runaway_music21_is_stopped_by_the_deadline(scratch, monkeypatch):
    from music21.musicxml import xmlToM21

    from sketchbook.formats import motif_files

    def stubborn(self, root, stream):
        while True:  # a loop that even swallows ordinary exceptions, as parts of music21 do
            try:
                time.sleep(0.01)
            except Exception:
                pass

    monkeypatch.setattr(xmlToM21.MusicXMLImporter, "xmlRootToScore", stubborn)
    monkeypatch.setattr(motif_files, "MAX_SECONDS", 0.2)
    with pytest.raises(SketchbookError, match=r"gave up reading MusicXML file .* after 0.2 s"):
        read_musicxml_motif(as_file(scratch, "slow.musicxml", valid_score()))


# --- compressed MusicXML ------------------------------------------------------------------------

member_names = mostly(st.sampled_from(["score.musicxml", "score.xml"]),
                      st.sampled_from(["../score.xml", "/score.xml", "a\\score.xml", "C:/score.xml",
                                       "META-INF/container.xml", "images/cover.png"]))
containers = st.one_of(
    member_names.map(lambda name: CONTAINER.format(path=name)),
    st.sampled_from(["", "<container/>", "<container><rootfiles><rootfile/></rootfiles></container>",
                     nasty.XXE_PASSWD + CONTAINER.format(path="&secret;"), "not xml"]),
)
archives = st.builds(
    lambda container, extra, score, encrypted: mxl(
        {"META-INF/container.xml": container, **{name: score for name in extra}},
        encrypted=("score.musicxml",) if encrypted and "score.musicxml" in extra else ()),
    containers,
    st.lists(member_names.filter(lambda n: n != "META-INF/container.xml"), max_size=3, unique=True),
    mostly(st.just(valid_score()), st.one_of(st.binary(max_size=100), scores)),
    mostly(st.just(False), st.just(True)),
)


@FUZZ
@given(st.one_of(archives, mutations(valid_mxl())))
def test_fuzzed_mxl(scratch, data):
    safely(read_musicxml_motif, as_file(scratch, "f.mxl", data))


def test_valid_mxl_loads(scratch):
    motif = safely(read_musicxml_motif, as_file(scratch, "ok.mxl", valid_mxl()))
    assert [n.pitch for n in motif.notes] == [60, 62, 64, 65, 67, 65, 64, 62]


def test_mxl_bomb_is_refused_without_unpacking_it(scratch):
    path = CORPUS / "mxl-zip-bomb.mxl"
    assert path.stat().st_size < 100_000
    assert _peak_megabytes(read_musicxml_motif, path) < 5


# --- tinyNotation -------------------------------------------------------------------------------

tiny_text = st.one_of(
    st.text(alphabet="abcdefgABCDEFGr#-n'.~{}_=0123456789/ \n", max_size=120),
    st.lists(st.sampled_from(["c4", "d8.", "e'#16", "CC-2", "r4", "trip{", "quad{", "}", "c4~", "3/4", "0/0",
                              "9999999999/1", "c64", "c'''''", "BBBBBB", "c4...", "x", "trip{trip{trip{trip{c"]),
             max_size=40).map(" ".join),
    st.text(max_size=80),
)


@settings(max_examples=150, deadline=None)
@given(tiny_text)
def test_fuzzed_tinynotation(text):
    safely(lambda t: parse_tinynotation(t, name="fuzz"), text, bars=10**9)
    safely(load_motif, text, bars=MAX_MOTIF_BARS)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["# key: C major", "# key: H major", "# pickup: 1/2", "# pickup: 1/0",
                                           "# pickup: 1e99999", "# pickup: -3", "# Described."]), tiny_text),
                max_size=6).map("\n".join))
def test_fuzzed_motif_text(text):
    safely(lambda t: parse_motif_text(t, name="fuzz"), text, bars=10**9)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_as_a_text_motif(scratch, data):
    safely(read_text_motif, as_file(scratch, "r.tn", data), bars=MAX_MOTIF_BARS)


# --- specs that are not files at all ------------------------------------------------------------

@pytest.mark.parametrize(
    "spec",
    ["a" * 5000, "a" * 5000 + ".mid", "x\0y.mid", "~no-such-user-here/tune.mid", "/dev/null/x.mid",
     "c " * 60_000, "\n\t", "../../../../etc/passwd", "tune.mid\n"],
    ids=lambda s: repr(s[:20]),
)
def test_odd_specs(spec):
    assert safely(load_motif, spec, bars=MAX_MOTIF_BARS) is None


def test_special_files_do_not_hang(tmp_path):
    import os

    fifo = tmp_path / "pipe.mid"
    os.mkfifo(fifo)
    (tmp_path / "folder.tn").mkdir()
    for spec in (fifo, tmp_path / "folder.tn"):
        with pytest.raises(SketchbookError, match=r"not a regular file|Is a directory"):
            load_motif(str(spec))


def test_file_names_with_control_characters_stay_on_one_line(tmp_path):
    path = tmp_path / "two\nlines\x1b[31m.mid"
    path.write_bytes(b"junk")
    with pytest.raises(SketchbookError) as caught:
        load_motif(str(path))
    assert "\n" not in str(caught.value) and "\x1b" not in str(caught.value)
    assert "two\\nlines" in str(caught.value)


# --- through the CLI ----------------------------------------------------------------------------

@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(midi_files, mutations(valid_midi()), st.just(valid_midi())))
def test_fuzzed_midi_through_the_cli(runner, tmp_path_factory, data):
    from sketchbook.cli import app

    folder = tmp_path_factory.mktemp("cli")
    path = as_file(folder, "in.mid", data)
    out = folder / "out"
    result = runner.invoke(app, ["develop", str(path), "--out", str(out), "--name", "x",
                                 "--variation", "beach", "--bars", "4"])
    assert "Traceback" not in result.output + result.stderr
    assert result.exit_code in (0, 2), result.stderr
    if result.exit_code == 2:
        assert len(result.stderr.splitlines()) == 1
        assert not out.exists()
    else:
        assert sorted(p.name for p in (out / "x").iterdir()) == ["beach.mid", "beach.musicxml", "sketch.json"]

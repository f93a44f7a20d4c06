"""Hostile files from issue 14, built byte by byte so each is exactly the case that was reported."""

from __future__ import annotations

import zipfile
from pathlib import Path


def _track(events: bytes) -> bytes:
    body = events + b"\x00\xff\x2f\x00"  # end of track
    return b"MTrk" + len(body).to_bytes(4, "big") + body


def midi(*tracks: bytes, tpb: int = 480) -> bytes:
    return b"MThd" + (6).to_bytes(4, "big") + (1).to_bytes(2, "big") + len(tracks).to_bytes(2, "big") + \
        tpb.to_bytes(2, "big") + b"".join(_track(t) for t in tracks)


def varlen(value: int) -> bytes:
    out = [value & 0x7F]
    while value := value >> 7:
        out.append(0x80 | (value & 0x7F))
    return bytes(reversed(out))


NOTE = b"\x00\x90\x3c\x40" + b"\x83\x60\x80\x3c\x00"  # middle C for a beat (480 ticks)


def huge_time_signature() -> bytes:
    """43 bytes: a time signature of 255/2^255 and one note (once 21 GB of memory in inspect)."""
    data = midi(b"\x00\xff\x58\x04\xff\xff\x18\x08" + NOTE)
    assert len(data) == 43
    return data


def zero_time_signature() -> bytes:
    return midi(b"\x00\xff\x58\x04\x00\x02\x18\x08" + NOTE)


def many_tempos(count: int = 2000) -> bytes:
    """About 14 KB: 2,000 tempo changes a tick apart, then a note (once no answer in 60 s)."""
    tempos = b"".join(b"\x01\xff\x51\x03" + (400_000 + i).to_bytes(3, "big") for i in range(count))
    return midi(tempos + NOTE)


def slowest_long_note() -> bytes:
    """44 bytes: the slowest tempo and one note of 2^28 - 1 ticks (once a WAV growing 57 MB/s in render)."""
    return midi(b"\x00\xff\x51\x03\xff\xff\xff" + b"\x00\x90\x3c\x40" + varlen(2**28 - 1) + b"\x80\x3c\x00", tpb=1)


def zero_tempo() -> bytes:
    return midi(b"\x00\xff\x51\x03\x00\x00\x00" + NOTE)


def mxl_bomb(path: Path, inflated: int = 1536 * 1024 * 1024) -> Path:
    """A compressed score whose member inflates to ``inflated`` bytes (1.5 GB: once 8 GB of memory)."""
    chunk = b" " * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("META-INF/container.xml",
                         '<container><rootfiles><rootfile full-path="score.musicxml"/></rootfiles></container>')
        with archive.open("score.musicxml", "w", force_zip64=True) as member:
            member.write(b"<score-partwise>")
            for _ in range(inflated // len(chunk)):
                member.write(chunk)
            member.write(b"</score-partwise>")
    return path


def musicxml(measures: str, *, time: str = "<time><beats>4</beats><beat-type>4</beat-type></time>") -> str:
    """A one-part score with the given time signature in its first measure."""
    return ('<?xml version="1.0"?><score-partwise version="4.0"><part-list><score-part id="P1"><part-name>P'
            '</part-name></score-part></part-list><part id="P1"><measure number="1"><attributes>'
            f'<divisions>1</divisions>{time}</attributes>{measures}</measure></part></score-partwise>')


WHOLE_NOTE = "<note><pitch><step>C</step><octave>4</octave></pitch><duration>4</duration><type>whole</type></note>"

"""A small, strict reader for Standard MIDI Files: chunks, then events, with running status.

Our own rather than mido's so that hostile files cost little: no message objects, every length
checked against the bytes that are really there, and the track count bounded.
"""

from __future__ import annotations

from collections.abc import Iterator

MAX_TRACKS = 1_024
_DATA_BYTES = {0x80: 2, 0x90: 2, 0xA0: 2, 0xB0: 2, 0xC0: 1, 0xD0: 1, 0xE0: 2}
_SYSTEM_BYTES = {0xF1: 1, 0xF2: 2, 0xF3: 1, 0xF6: 0, 0xF8: 0, 0xFA: 0, 0xFB: 0, 0xFC: 0, 0xFE: 0}


class MidiError(Exception):
    """A structural problem in a MIDI file, told in a few words."""


def midi_chunks(data: bytes) -> tuple[int, list[bytes]]:
    """Ticks per quarter and the track chunks of a Standard MIDI File."""
    if data[:4] != b"MThd" or len(data) < 14:
        raise MidiError("it does not start with a MIDI header (MThd)")
    size = int.from_bytes(data[4:8], "big")
    if size < 6:
        raise MidiError(f"its header is {size} bytes long, not 6")
    division = int.from_bytes(data[12:14], "big")
    if division == 0 or division & 0x8000:
        raise MidiError("it uses SMPTE or zero timing, which is not supported")
    tracks: list[bytes] = []
    at, chunk = 8 + size, 1
    while at + 8 <= len(data):
        kind, length = data[at : at + 4], int.from_bytes(data[at + 4 : at + 8], "big")
        body = data[at + 8 : at + 8 + length]
        chunk += 1
        if len(body) < length:
            raise MidiError(f"chunk {chunk} is cut short ({len(body)} of {length} bytes)")
        if kind == b"MTrk":
            tracks.append(body)
            if len(tracks) > MAX_TRACKS:
                raise MidiError(f"it has more than {MAX_TRACKS} tracks")
        at += 8 + length
    if not tracks:
        raise MidiError("it has no tracks")
    return division, tracks


def midi_events(track: bytes, number: int) -> Iterator[tuple[int, int, int, int, bytes]]:
    """(delta ticks, status, data 1, data 2, payload) per event: a meta event gives its type as data 1 and its
    bytes as payload; other events have an empty payload."""
    at, running = 0, None
    try:
        while at < len(track):
            delta, at = varlen(track, at)
            status = track[at]
            if status < 0x80:
                if running is None:
                    raise MidiError(f"track {number} has a data byte where a status byte belongs")
                status = running
            else:
                at += 1
            if status == 0xFF:
                meta = track[at]
                length, at = varlen(track, at + 1)
                payload = track[at : at + length]
                if len(payload) < length:
                    raise IndexError
                at += length
                if meta == 0x2F:
                    return
                yield delta, status, meta, 0, payload
            elif status in (0xF0, 0xF7):
                length, at = varlen(track, at)
                at += length
                running = None
                yield delta, status, 0, 0, b""
            elif status >= 0xF0:
                if status not in _SYSTEM_BYTES:
                    raise MidiError(f"track {number} has an unknown status byte 0x{status:02X}")
                at += _SYSTEM_BYTES[status]
                running = None
                yield delta, status, 0, 0, b""
            else:
                running = status
                size = _DATA_BYTES[status & 0xF0]
                first = min(track[at], 127)
                second = min(track[at + 1], 127) if size == 2 else 0
                at += size
                yield delta, status, first, second, b""
        if at > len(track):
            raise IndexError
    except IndexError:
        raise MidiError(f"track {number} is cut short in the middle of an event") from None


def varlen(data: bytes, at: int) -> tuple[int, int]:
    """A variable-length number at ``at`` (7 bits a byte, at most 4 bytes) and the index after it."""
    value = 0
    for i in range(4):
        byte = data[at + i]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + i + 1
    raise MidiError("a variable-length number runs over 4 bytes")

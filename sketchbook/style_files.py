"""Style files: the built-in styles, and preset files checked field by field in the preset's own words.

styles.style_from_dict builds the Style; this module stands in front of it and names the file, the
field and what is allowed, instead of letting a comparison or a constructor fail on the wrong type.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from sketchbook.music.errors import SketchbookError
from sketchbook.music.levers import FASTEST, NUMBERS, SLOWEST
from sketchbook.music.styles import Style, style_from_dict

PRESETS_DIR = Path(__file__).resolve().parent / "presets"
VARIATIONS = ("beach", "photograph")

MAX_PRESET_BYTES = 256 * 1024
MAX_SECTIONS = 64  # a piece of ours has three or four; more is a typo or an attack
MAX_BARS = 20_000  # the same cap as --bars (api.plan)
DEFAULT_MIN_BARS = 4  # styles.SectionPlan's default
LEVER_MEANING = {"density": "onsets per beat", "ornament": "share of notes ornamented",
                 "colour": "share of chords with a tone that rubs", "articulation": "accents and staccato",
                 "rubato": "timing freedom"}
REQUIRED = ("name", "tempo", *NUMBERS, "dynamics")
TEXT = ("name", "tempo_text", "description", "meter")
SWITCHES = ("pedal", "swell")
SECTION_TEXT = ("name", "dynamic", "peak", "tempo_text")


def load_preset(path: str | Path) -> Style:
    """The Style in a preset file (or a built-in name), after every field has been checked."""
    if str(path) in VARIATIONS:
        return load_style(str(path))
    from sketchbook.files import shown

    data = _read_toml(Path(path))
    check_style_data(data, origin=shown(path))
    return style_from_dict(data, origin=shown(path))


def load_style(source: str | Path) -> Style:
    """A style by built-in name ('beach', 'photograph') or from a TOML file path (read within the preset limit)."""
    path = PRESETS_DIR / f"{source}.toml" if str(source) in VARIATIONS else Path(source)
    return style_from_dict(_read_toml(path), origin=str(path))


def _read_toml(path: Path) -> dict:
    from sketchbook.files import read_limited, shown

    if not path.exists():
        raise SketchbookError(f"preset file not found: {shown(path)}")
    try:
        return tomllib.loads(read_limited(path, MAX_PRESET_BYTES, "preset").decode("utf-8"))
    except UnicodeDecodeError:
        raise SketchbookError(f"cannot read preset {shown(path)}: it is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SketchbookError(f"preset {shown(path)} is not valid TOML: {exc}") from None


def check_style_data(data: dict, *, origin: str) -> None:
    """Refuse a missing field or a value of the wrong kind, naming the file and the field."""
    from sketchbook.music.model import DYNAMICS

    missing = [k for k in REQUIRED if k not in data]
    if not data.get("section"):
        missing.append("[[section]]")
    if missing:
        raise SketchbookError(f"preset {origin} is missing {_listed(missing)} (see the preset format in the README)")
    for key in TEXT:
        if key in data and not isinstance(data[key], str):
            raise SketchbookError(f"preset {origin}: {key} must be text in quotes, not {_shown(data[key])}")
    _tempo(data["tempo"], f"preset {origin}: tempo")
    if "meter" in data:
        from sketchbook.music.styles import parse_meter

        parse_meter(data["meter"], what=f"preset {origin}: meter")
    sway = data.get("tempo_sway")
    if "tempo_sway" in data and (isinstance(sway, bool) or not isinstance(sway, (int, float))
                                 or not 0 <= sway <= 0.5):
        raise SketchbookError(f"preset {origin}: tempo_sway (how far the seed moves the tempo) must be a number "
                              f"from 0 to 0.5, not {_shown(data['tempo_sway'])}")
    for lever in NUMBERS:
        _share(data[lever], f"preset {origin}: {lever} ({LEVER_MEANING[lever]})")
    dynamics = data["dynamics"]
    if not (isinstance(dynamics, list) and len(dynamics) == 2 and all(d in DYNAMICS for d in dynamics)):
        raise SketchbookError(f"preset {origin}: dynamics must be two marks, soft then loud, from "
                              f"{', '.join(DYNAMICS)}, e.g. [\"pp\", \"mp\"]; not {_shown(dynamics)}")
    for key in SWITCHES:
        if key in data and not isinstance(data[key], bool):
            raise SketchbookError(f"preset {origin}: {key} must be true or false, not {_shown(data[key])}")
    sections = data["section"]
    if not isinstance(sections, list) or not all(isinstance(s, dict) for s in sections):
        raise SketchbookError(f"preset {origin}: write each section as a [[section]] table")
    if len(sections) > MAX_SECTIONS:
        raise SketchbookError(f"preset {origin} has {len(sections)} sections; a preset has at most {MAX_SECTIONS}")
    for number, section in enumerate(sections, 1):
        _check_section(section, f"preset {origin}: section {number}", DYNAMICS)
    # Every section is at least min_bars long, so their sum is a floor on the piece: the same cap as --bars.
    floor = sum(section.get("min_bars", DEFAULT_MIN_BARS) for section in sections)
    if floor > MAX_BARS:
        raise SketchbookError(f"preset {origin}: its sections' min_bars add up to {floor} bars; a piece has at most "
                              f"{MAX_BARS} (as --bars)")


def _check_section(section: dict, where: str, dynamics: tuple[str, ...]) -> None:
    if "name" not in section:
        raise SketchbookError(f"{where} needs a name, e.g. name = \"calm\"")
    for key in SECTION_TEXT:
        if key in section and not isinstance(section[key], str):
            raise SketchbookError(f"{where}: {key} must be text in quotes, not {_shown(section[key])}")
    where = f"{where} ({section['name']})"
    techniques = section.get("techniques", ["statement"])
    if not isinstance(techniques, list) or not techniques or not all(isinstance(t, str) for t in techniques):
        raise SketchbookError(f"{where}: techniques must be a list of names in quotes, e.g. [\"statement\", "
                              f"\"invert\"]; not {_shown(techniques)}")
    for key in ("dynamic", "peak"):
        if key in section and section[key] not in dynamics:
            raise SketchbookError(f"{where}: {key} must be one of {', '.join(dynamics)}, not {_shown(section[key])}")
    if "min_bars" in section:
        value = section["min_bars"]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
            raise SketchbookError(f"{where}: min_bars must be a whole number from 1 to 1000, not {_shown(value)}")
    if "tempo" in section:
        _tempo(section["tempo"], f"{where}: tempo")
    for lever in NUMBERS:
        if lever in section:
            _share(section[lever], f"{where}: {lever} ({LEVER_MEANING[lever]})")


def _tempo(value, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not SLOWEST <= value <= FASTEST:
        raise SketchbookError(f"{where} must be a whole number of beats per minute from {SLOWEST} to {FASTEST}, "
                              f"not {_shown(value)}")


def _share(value, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise SketchbookError(f"{where} must be a number from 0 to 1, not {_shown(value)}")


def _shown(value) -> str:
    """A TOML value as it would be written in the file: "fast", true, [1, 2]."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return '"' + "".join(c if c.isprintable() else "?" for c in text) + '"'
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, list):
        inner = ", ".join(_shown(v) for v in value[:4]) + (", ..." if len(value) > 4 else "")
        return f"[{inner}]"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

"""Command-line usage mistakes told in the user's words: the option, what was typed and what is allowed.

Typer checks option values with click's types, whose messages ("'abc' is not a valid integer range",
"-3 is not in the range 0<=x<=9223372036854775807") speak of types and ranges; here they become plain
sentences.
"""

from __future__ import annotations

import re

_REWRITES = (
    (re.compile(r"'(?P<value>.*)' is not one of (?P<choices>.*?)\.?$"),
     lambda m, opt, typed: f"{opt} {_quoted(m['value'])} is not allowed: choose {_choices(m['choices'])}"),
    (re.compile(r".* is not a valid integer(?: range)?\.?"),
     lambda m, opt, typed: f"{opt} {_quoted(typed)} is not a whole number"),
    (re.compile(r".* is not a valid (?:float|number)(?: range)?\.?"),
     lambda m, opt, typed: f"{opt} {_quoted(typed)} is not a number"),
    (re.compile(r".* is not a valid boolean\.?"),
     lambda m, opt, typed: f"{opt} {_quoted(typed)} is not yes or no (use the flag alone, or --no-...)"),
    (re.compile(r".* is not in the range (?P<range>\S+?)\.?"),
     lambda m, opt, typed: _out_of_range(opt, typed, m["range"])),
)


def usage_line(exc, args: list[str]) -> str:
    """One line for a click usage error; a bad option value names the option, the value and what is allowed."""
    text = " ".join(exc.format_message().split())
    param = getattr(exc, "param", None)
    message = " ".join(str(getattr(exc, "message", "")).split())
    if param is not None and message:
        opts = list(getattr(param, "opts", []) or [])
        opt = next((o for o in opts if o.startswith("--")), opts[0] if opts else param.name.upper())
        typed = _typed(args, opts)
        for pattern, say in _REWRITES:
            if match := pattern.fullmatch(message):
                return say(match, opt, typed)
    return text + " (see --help)"


def _typed(args: list[str], opts: list[str]) -> str:
    """The value the user gave an option, as typed: the last one wins, as in click."""
    found = ""
    for i, arg in enumerate(args):
        for opt in opts:
            if arg == opt and i + 1 < len(args):
                found = args[i + 1]
            elif opt.startswith("--") and arg.startswith(opt + "="):
                found = arg[len(opt) + 1:]
    return found


def _quoted(value: str) -> str:
    shown = "".join(c if c.isprintable() else "?" for c in value)
    return repr(shown if len(shown) <= 60 else shown[:57] + "...")


def _choices(text: str) -> str:
    names = re.findall(r"'([^']*)'", text) or [text]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _out_of_range(opt: str, typed: str, bounds: str) -> str:
    """click's '0<=x<=9' as 'too small: it must be at least 0' or 'too large: it must be at most 9'."""
    low = re.match(r"(-?[\d.]+)<=?x", bounds)
    high = re.search(r"x<=?(-?[\d.]+)$", bounds)
    try:
        value = float(typed)
    except ValueError:
        value = None
    if low and (value is None or value < float(low[1])):
        return f"{opt} {_quoted(typed)} is too small: it must be at least {low[1]}"
    if high:
        return f"{opt} {_quoted(typed)} is too large: it must be at most {high[1]}"
    return f"{opt} {_quoted(typed)} is out of range {bounds}"

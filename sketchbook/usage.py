"""Command-line usage mistakes told in the user's words: the option, what was typed and what is allowed.

Typer checks option values with pydantic, whose messages ("Value error, ...", "Input should be a valid
integer, unable to parse string as an integer") speak of types; here they become plain sentences.
"""

from __future__ import annotations

import re

_REWRITES = (
    (re.compile(r"Value error, '(?P<value>.*)' is not one of (?P<choices>.*?)\.?$"),
     lambda m, opt, typed: f"{opt} {_quoted(m['value'])} is not allowed: choose {_choices(m['choices'])}"),
    (re.compile(r"Input should be a valid integer.*"),
     lambda m, opt, typed: f"{opt} {_quoted(typed)} is not a whole number"),
    (re.compile(r"Input should be a valid (?:number|float).*"),
     lambda m, opt, typed: f"{opt} {_quoted(typed)} is not a number"),
    (re.compile(r"Input should be greater than or equal to (?P<n>\S+)"),
     lambda m, opt, typed: f"{opt} {_quoted(typed)} is too small: it must be at least {m['n']}"),
    (re.compile(r"Input should be less than or equal to (?P<n>\S+)"),
     lambda m, opt, typed: f"{opt} {_quoted(typed)} is too large: it must be at most {m['n']}"),
    (re.compile(r"Input should be a valid boolean.*"),
     lambda m, opt, typed: f"{opt} {_quoted(typed)} is not yes or no (use the flag alone, or --no-...)"),
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
        text = text.replace("Value error, ", "").replace("Input should be", "it should be")
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

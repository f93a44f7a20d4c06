"""The command line: `sketchbook` is this package's `app`, with the commands of its modules registered on it."""

from sketchbook.cli import browse, develop  # noqa: F401  (each registers its commands on app)
from sketchbook.cli.app import app

# Plain help shortens each command's line in the list to fit; give the whole first line, wrapped.
for _info in app.registered_commands:
    if _info.short_help is None and _info.callback is not None and _info.callback.__doc__:
        _info.short_help = _info.callback.__doc__.strip().splitlines()[0]

__all__ = ["app"]

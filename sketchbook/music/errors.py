"""The one error the core raises for problems a user can fix."""


class SketchbookError(Exception):
    """A problem with the user's input or files, told in one line."""

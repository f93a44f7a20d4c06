"""sketchbook: develop a short seed motif into two piano pieces, 'beach' and 'photograph'.

In Python (a notebook, say): ``sk = sketchbook.develop("tide", seed=3)``, then ``sk.write("out")``;
a notebook cell shows ``sk`` as its scores, piano rolls and audio.
"""

from __future__ import annotations

from typing import Any

from sketchbook.version import __version__ as __version__  # re-exported: sketchbook.__version__

__all__ = ["Sketch", "SketchbookError", "develop"]


def __getattr__(name: str) -> Any:
    # Loaded on first use, so `import sketchbook` (and the command line's start-up) stays light.
    if name in ("develop", "Sketch"):
        from sketchbook import api

        return getattr(api, name)
    if name == "SketchbookError":
        from sketchbook.music.errors import SketchbookError

        return SketchbookError
    raise AttributeError(f"module 'sketchbook' has no attribute {name!r}")

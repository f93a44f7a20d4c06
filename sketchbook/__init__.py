"""sketchbook: develop a short seed motif into two piano pieces, 'beach' and 'photograph'.

In Python (a notebook, say): ``sk = sketchbook.develop("tide", seed=3)``, then ``sk.write("out")``;
a notebook cell shows ``sk`` as its scores, piano rolls and audio.
"""

import sys
import types

__version__ = "0.1.0"


class _DevelopModule(types.ModuleType):
    """sketchbook.develop is both the module of motif transformations and the API call that develops a motif."""

    def __call__(self, motif=None, *, seed=1, variation=None, **levers):
        from sketchbook.api import develop

        return develop(motif, seed=seed, variation=variation, **levers)


class _Package(types.ModuleType):
    # Importing the submodule sketchbook.develop sets it as this attribute; make it callable as it lands.
    def __setattr__(self, name, value):
        if name == "develop" and type(value) is types.ModuleType:
            value.__class__ = _DevelopModule
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name):
    # Loaded on first use, so `import sketchbook` (and the CLI's start-up) stays light.
    if name == "develop":
        import importlib

        return importlib.import_module("sketchbook.develop")
    if name == "Sketch":
        from sketchbook.api import Sketch

        return Sketch
    raise AttributeError(f"module 'sketchbook' has no attribute {name!r}")

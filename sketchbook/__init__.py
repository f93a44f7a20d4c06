"""sketchbook: develop a short seed motif into two piano pieces, 'beach' and 'photograph'."""

__version__ = "0.1.0"

"""The levers' thresholds, named once: where a density or ornament level changes the texture.

Every module that asks "is this section sparse?" asks it here, so beach and photograph textures
switch at the same point everywhere.
"""

SPARSE = 0.45  # below this density a section has beach texture: long tones, open chords, one chord a bar
DRIVEN = 0.65  # from here the melody moves in sixteenths and a section builds to its peak
DOUBLED = 0.7  # from here the right hand doubles in octaves, and a slow motif is diminished
ORNATE = 0.5  # from here a section's ornaments must show at least three kinds

"""The music: a pure core that imports only the standard library.

model (notes, phrases, pieces) and theory (keys, scales, spelling) first; then the development
vocabulary (transform, techniques, metre), harmony and its spelling, the hands (accompany, texture,
embellish, ornament, expression, phrasing), the styles, and composition and performance (compose,
perform, variation). hear turns a played take back into a motif.
"""

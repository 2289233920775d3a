"""Offline generators: they write the demo network and the taxonomy that the product ships.

Not part of the runtime package (nothing under matcher/, service/ or evaluation/ imports them).
"""

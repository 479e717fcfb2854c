"""Inspector: offline field inspections for 287(g) agreement oversight."""

__version__ = "0.1.0"

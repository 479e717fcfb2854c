"""Program analytics: history import parsing, fiscal-year summaries, performance measures.

Pure pandas over frames loaded by `loader`; no writes and no Qt, so the CLI, the GUI and
the PDF reports compute every figure with the same functions.
"""

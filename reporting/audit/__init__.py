"""Reads of the audit trail (one object's history, the programme-wide change log) and their
pages: they read the history of every app's models, so they sit at the top."""

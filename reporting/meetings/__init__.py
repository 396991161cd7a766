"""Steering group meetings of a hanke, beside the reporting rounds: the meeting page reads
the hanke's actions, indicators and budget, and its minutes are a PDF document."""

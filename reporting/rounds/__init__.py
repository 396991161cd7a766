"""Reporting rounds: the rounds, each hanke's self-assessment and its workflow, the frozen
snapshots, THL's dashboard and what changed between two rounds."""

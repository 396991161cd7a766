"""The bulk import of actions, indicators and measurements: read the file, map its columns,
plan the rows, preview, confirm."""

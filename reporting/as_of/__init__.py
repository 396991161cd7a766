"""The portal as of a past reporting round: dashboards read from the frozen snapshots, and
round comparisons."""

"""The programme overview and the region comparison, read from the stored lights."""

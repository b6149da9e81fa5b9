"""Reference data: geography, population and deprivation, and the locality lookup."""

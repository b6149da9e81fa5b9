"""Comparisons of areas with one another: peer families (`families`)."""

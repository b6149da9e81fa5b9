"""Matching area names that different publishers spell differently ("&" vs "and")."""

import re


def name_key(name: str) -> str:
    """A comparison key: case, '&'/'and', hyphens and spacing do not matter."""
    s = name.lower().replace("&", " and ").replace("-", " ")
    return re.sub(r"\s+", " ", s).strip()

"""SQL function for matching area names spelt differently by publishers."""

from __future__ import annotations

import pyarrow as pa

from transforms.reference.names import name_key as _name_key
from transforms.udfs.convert import VARCHAR, Udf, to_pylist

__all__ = ["UDFS"]


def name_key(name):
    """Comparison key of each name: :func:`transforms.reference.names.name_key`; NULL stays NULL."""
    return pa.array([None if n is None else _name_key(n) for n in to_pylist(name)], type=pa.string())


UDFS = (
    Udf(
        "name_key",
        name_key,
        [VARCHAR],
        VARCHAR,
        "Comparison key for area names spelt differently by publishers.",
        "Case, ``'&'``/``'and'``, hyphens and spacing do not matter.",
        ("transforms.reference.names.name_key",),
    ),
)

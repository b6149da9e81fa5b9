"""What a run's release holds: the indicator dataset, its inputs, and their summaries.

The publish step (transforms.pipeline.publish) sequences these: the catalogue
entries of the indicators the run built, the inputs as the manifest lists them and
their provenance, the disclosure-controlled dataset, and the identifier values of
the restricted extracts that the release scan must not find in it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from transforms import inputs
from transforms.runstate import RunState


def supplied_indicators(indicators: list, state: RunState) -> list:
    """The catalogue entries the run built: not those of an optional published aggregate it did not have."""
    return [
        i for i in indicators if i.source_extract not in inputs.PUBLIC_AGGREGATES or i.source_extract in state.inputs
    ]


def lookup_summary(staged_dir: Path) -> dict:
    """How many data zones of the locality lookup are published, illustrative or as supplied."""
    lookup = pd.read_parquet(staged_dir / f"{inputs.LOCALITY_LOOKUP}.parquet")
    basis = lookup["lookup_basis"] if "lookup_basis" in lookup else pd.Series(["as supplied"] * len(lookup))
    return {"locality_lookup_datazones_by_basis": basis.fillna("as supplied").value_counts().sort_index().to_dict()}


def release_inputs(state: RunState) -> tuple[list[dict], list[dict]]:
    """The inputs as the manifest lists them (content only) and their provenance.

    The manifest's `origin` is the file's name; where it came from (path or URL) and
    when it was retrieved go to the release's provenance.json, except for a restricted
    extract, whose location is itself not for publication.
    """
    listed, provenance = [], []
    for e in state.inputs.values():
        d = e.manifest()
        d["origin"] = e.original_name
        d["warnings"] = [*e.warnings, *state.read_warnings.get(e.source, [])]
        listed.append(d)
        provenance.append(
            {
                "source": e.source,
                "vintage": e.vintage,
                "origin": e.original_name if e.restricted else e.origin,
                "retrieved_at": e.retrieved_at,
            }
        )
    return listed, provenance


def restricted_ids(staged_dir: Path, state: RunState) -> Iterator:
    """The identifier columns of the run's record-level extracts, batch by batch: none may reach a release."""
    import pyarrow.parquet as pq

    from transforms.publish.release_scan import is_identifier_column

    for name in sorted(n for n, entry in state.inputs.items() if entry.restricted):
        path = staged_dir / f"{name}.parquet"
        if path.is_file():
            parquet = pq.ParquetFile(path)
            columns = [c for c in parquet.schema_arrow.names if is_identifier_column(c)]
            if columns:
                for batch in parquet.iter_batches(batch_size=1 << 18, columns=columns):
                    yield from batch.columns


def indicator_outputs(run_folder: Path, marts: list[Path], staging: Path, threshold: int) -> tuple[dict, dict]:
    """The release's indicator dataset (levels above data zones, after disclosure control) and its summary.

    Every level, unsuppressed, is written to data/runs/<run_id>/restricted/indicators/
    (and the marts made) owner-only: it is for authorised analysts, never for a release.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from transforms.publish import dataset, suppression

    table = dataset.unify(marts)
    dataset.make_private(run_folder / "marts")
    dataset.write_restricted(table, run_folder / "restricted")
    withheld = list(suppression.RESTRICTED_LEVELS)
    publishable = table.filter(pc.invert(pc.is_in(table["geography_level"], value_set=pa.array(withheld))))
    publishable, report = suppression.suppress(publishable, threshold=threshold, linked=suppression.LINKED_INDICATORS)
    outputs = dataset.write_partitioned(publishable, staging)
    summary = {
        "dataset": {
            "path": dataset.DATASET_DIR,
            "format": "parquet",
            "partitioning": "hive",
            "partition_columns": list(dataset.PARTITIONS),
            "geography_levels": sorted(set(publishable["geography_level"].to_pylist())),
            "indicator_ids": sorted(set(publishable["indicator_id"].to_pylist())),
        },
        "disclosure_control": {**report.manifest(), "withheld_levels": withheld},
    }
    return outputs, summary

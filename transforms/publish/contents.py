"""What a run's release holds: the indicator dataset, its inputs, and their summaries.

The compare step (transforms.pipeline.compare) writes the disclosure-controlled
indicators (write_controlled); the publish step (transforms.pipeline.publish)
sequences the rest: the catalogue entries of the indicators the run built, the
inputs as the manifest lists them and their provenance, the controlled dataset and
the comparisons, and the identifier values of the restricted extracts that the
release scan must not find in it.
"""

from __future__ import annotations

import json
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


#: Folder of a run holding the disclosure-controlled indicators and the peer families (the compare step's).
CONTROLLED_DIR = "controlled"
CONTROLLED_INDICATORS = "indicators.parquet"
DISCLOSURE_SUMMARY = "disclosure.json"
#: The mart of the features the peer families are computed from.
FAMILY_FEATURES = "peer_family_features"


def write_controlled(run_folder: Path, marts: list[Path], controlled: Path, threshold: int) -> dict:
    """The indicators of the release after disclosure control, written to `controlled/indicators.parquet`.

    Every level, unsuppressed, goes to data/runs/<run_id>/restricted/indicators/
    owner-only (as the marts are): it is for authorised analysts, never for a release.
    The rest (no data zones) is suppressed (transforms.publish.suppression) and written
    for the comparison models and the publish step; returns the summary for the
    manifest, also written beside it as disclosure.json.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from transforms.publish import dataset, suppression

    table = dataset.unify(marts)
    dataset.write_restricted(table, run_folder / "restricted")
    withheld = list(suppression.RESTRICTED_LEVELS)
    publishable = table.filter(pc.invert(pc.is_in(table["geography_level"], value_set=pa.array(withheld))))
    publishable, report = suppression.suppress(publishable, threshold=threshold, linked=suppression.LINKED_INDICATORS)
    dataset.write_parquet(dataset.sort_rows(publishable), controlled / CONTROLLED_INDICATORS)
    summary = {"disclosure_control": {**report.manifest(), "withheld_levels": withheld}}
    (controlled / DISCLOSURE_SUMMARY).write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def write_peer_families(run_folder: Path, controlled: Path, supplied: Path | None):
    """The peer families (transforms.compare.families) of the run's `peer_family_features` mart, or those
    `supplied`, written to `controlled/peer_families.parquet` for the comparison models; returned as a frame."""
    import pandas as pd
    import pyarrow as pa

    from transforms.compare.families import assign_families
    from transforms.publish import dataset

    families = assign_families(pd.read_parquet(run_folder / "marts" / f"{FAMILY_FEATURES}.parquet"), supplied)
    dataset.write_parquet(pa.Table.from_pandas(families, preserve_index=False), controlled / f"{PEER_FAMILIES}.parquet")
    return families


def read_controlled(controlled: Path):
    """The controlled indicators (pyarrow table) and their disclosure summary, as the compare step wrote them."""
    import pyarrow.parquet as pq

    return pq.read_table(controlled / CONTROLLED_INDICATORS), json.loads((controlled / DISCLOSURE_SUMMARY).read_text())


def indicator_outputs(publishable, staging: Path, disclosure: dict) -> tuple[dict, dict]:
    """The release's indicator dataset, hive-partitioned under `staging`, and its summary for the manifest."""
    from transforms.publish import dataset

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
        **disclosure,
    }
    return outputs, summary


#: The comparison marts (dbt models tagged `comparisons`), published keyed like the indicators.
COMPARISON_DATASETS = ("comparisons", "funnels", "funnel_limits", "trends")
PEER_FAMILIES = "peer_families"
#: The per-partnership summary of the comparisons, published as one file.
COMPARISON_SUMMARIES = "comparison_summaries"


def release_outputs(
    run_folder: Path, staging: Path, indicators, disclosure: dict, previous, titles: dict[str, str]
) -> tuple[dict, dict]:
    """Every dataset of the release under `staging`, and their summary for the manifest.

    `indicators` and `disclosure` are the compare step's (read_controlled). Written:
    the indicators (with quality marker 'r' where a value was revised since
    `previous`, the release transforms.publish.revisions.previous_release chose), the
    comparison datasets hive-partitioned like them, the per-partnership comparison
    summaries, the peer families, and the revisions table with its per-partnership
    summaries. The comparisons were built on the controlled indicators only (the
    compare step), so they need no disclosure control of their own. dbt writes an
    empty external model as one all-null row: rows without an indicator id are dropped.
    """
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from transforms.publish import dataset, revisions

    tables = {}
    for name in COMPARISON_DATASETS:
        table = pq.read_table(run_folder / "marts" / f"{name}.parquet")
        tables[name] = table.filter(pc.is_valid(table["indicator_id"]))
    revised = revisions.compare_releases(previous, indicators, tables["comparisons"], titles)
    outputs, summary = indicator_outputs(revised.indicators, staging, disclosure)
    for name, table in tables.items():
        outputs.update(dataset.write_partitioned(table, staging, name=name))
    families = pq.read_table(run_folder / CONTROLLED_DIR / f"{PEER_FAMILIES}.parquet")
    rel = f"{PEER_FAMILIES}/{dataset.PART_FILE}"
    (staging / PEER_FAMILIES).mkdir()
    dataset.write_parquet(dataset.sort_rows(families), staging / rel)
    outputs[rel] = staging / rel
    summaries = pq.read_table(run_folder / "marts" / f"{COMPARISON_SUMMARIES}.parquet")
    summaries = summaries.filter(pc.is_valid(summaries["geography_code"]))
    dataset.write_parquet(summaries, staging / f"{COMPARISON_SUMMARIES}.parquet")
    outputs[f"{COMPARISON_SUMMARIES}.parquet"] = staging / f"{COMPARISON_SUMMARIES}.parquet"
    outputs.update(revisions.write(revised, staging))
    rows = {name: table.num_rows for name, table in tables.items()} | {
        PEER_FAMILIES: families.num_rows,
        COMPARISON_SUMMARIES: summaries.num_rows,
    }
    summary["comparisons"] = {"datasets": rows, "partitioning": "hive", "partition_columns": list(dataset.PARTITIONS)}
    summary[revisions.MANIFEST_KEY] = revised.manifest()
    return outputs, summary

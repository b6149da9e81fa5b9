"""Generate the synthetic twins a run needs, in the order they depend on each other.

Deaths are drawn from the people of the other twins (nobody is seen in hospital or
A&E after they died), so SMR01, A&E and delayed discharges come first. A twin
already on disk for the same seed and period is reused, not made again: the files
are deterministic, so reusing one is the same as regenerating it.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from transforms.synthetic import ae_attendances, deaths, delayed_discharges, smr01
from transforms.synthetic.common import ReferenceTables

log = logging.getLogger(__name__)

GENERATORS = {
    "smr01_episodes": smr01,
    "ae_attendances": ae_attendances,
    "delayed_discharges": delayed_discharges,
    "deaths": deaths,
}
ORDER = ("smr01_episodes", "ae_attendances", "delayed_discharges", "deaths")


def file_name(name: str, seed: int, financial_years: list[int], scale: float = 1.0) -> str:
    return GENERATORS[name].extract_file_name(seed, financial_years, scale)


def ensure(
    wanted: list[str], folder: Path, reference_dir: Path, financial_years: list[int], seed: int, scale: float = 1.0
) -> dict[str, Path]:
    """Make each twin in `wanted` that is not in `folder` yet; return every wanted path.

    `scale` multiplies every twin's expected events (`synthetic.scale` in the config).
    """
    folder = Path(folder)
    paths = {name: folder / file_name(name, seed, financial_years, scale) for name in ORDER}
    todo = [name for name in ORDER if name in wanted and not paths[name].exists()]
    if not todo:
        return {name: paths[name] for name in wanted}
    ref = ReferenceTables.from_dir(reference_dir)
    frames: dict[str, pd.DataFrame] = {}

    def frame(name: str) -> pd.DataFrame:
        if name not in frames:
            if paths[name].exists():
                frames[name] = pd.read_parquet(paths[name])
            else:
                log.info("generating the synthetic %s extract %s", name, paths[name].name)
                if name == "deaths":
                    frames[name] = deaths.generate(
                        ref,
                        financial_years,
                        seed,
                        frame("smr01_episodes"),
                        attendances=frame("ae_attendances"),
                        delayed=frame("delayed_discharges"),
                        scale=scale,
                    )
                else:
                    frames[name] = GENERATORS[name].generate(ref, financial_years, seed, scale=scale)
                GENERATORS[name].write_extract(
                    frames[name], paths[name], seed=seed, financial_years=financial_years, scale=scale
                )
        return frames[name]

    for name in todo:
        frame(name)
    return {name: paths[name] for name in wanted}

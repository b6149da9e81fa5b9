"""Comparative health and social care indicators for Scotland's HSCPs and localities.

Every pipeline step lives here so it can run without Airflow (`python -m transforms`).
"""

__version__ = "0.1.0"

#: The pipeline's steps, in order: the DAG's tasks, the CLI's subcommands and
#: transforms.pipeline's functions all take their names from here.
STEPS = ("ingest", "validate", "build", "compare", "publish")

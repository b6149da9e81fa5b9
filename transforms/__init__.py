"""Comparative health and social care indicators for Scotland's HSCPs and localities.

Every pipeline step lives here so it can run without Airflow (`python -m transforms`).
"""

__version__ = "0.1.0"

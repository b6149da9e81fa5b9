"""Statistical methods for indicator values: rates and Poisson intervals, proportions, age
standardisation, funnel limits, quantiles, inequality measures and rolling periods.

One vectorised function per method, each citing its method and published
reference; SQL models reach the same functions through :mod:`transforms.udfs`.
"""

"""Statistical methods for indicator values: rates, Poisson confidence intervals and benchmark comparison."""

"""DuckDB scalar functions for the statistical methods of :mod:`transforms.stats`.

Two ways in:

* dbt: list this module as a dbt-duckdb plugin in ``profiles.yml``::

      plugins:
        - module: transforms.duckdb_udfs

  dbt-duckdb imports the module, instantiates :class:`Plugin` and calls
  ``configure_connection`` on the DuckDB connection it opens, so models can
  call the functions below in SQL.
* Python (tests, ad-hoc scripts): ``register(conn)`` on any
  ``duckdb.DuckDBPyConnection``.

The functions live in the package :mod:`transforms.udfs` (one module per
family); each is a vectorised Arrow UDF that calls the Python function named
below, so every formula exists once, in :mod:`transforms.stats`, and SQL
models never repeat it.  ``conf_level`` is always a fraction (0.95, 0.998).

Rates, proportions, comparison (:mod:`transforms.udfs.rates`)
-------------------------------------------------------------
``byar_lower(observed DOUBLE, population DOUBLE, multiplier DOUBLE, conf_level DOUBLE) -> DOUBLE``
``byar_upper(observed DOUBLE, population DOUBLE, multiplier DOUBLE, conf_level DOUBLE) -> DOUBLE``
    Limits of the crude rate ``observed/population*multiplier`` (exact
    Poisson below 10 events, Byar's from 10): ``stats.rates.crude_rate_ci``.
``compare_with_benchmark(lower DOUBLE, upper DOUBLE, benchmark DOUBLE) -> VARCHAR``
    ``'higher'``, ``'lower'`` or ``'not different'``: ``stats.rates.compare_with_benchmark``.
``wilson_lower(numerator DOUBLE, denominator DOUBLE, multiplier DOUBLE, conf_level DOUBLE) -> DOUBLE``
``wilson_upper(numerator DOUBLE, denominator DOUBLE, multiplier DOUBLE, conf_level DOUBLE) -> DOUBLE``
    Wilson score limits of ``numerator/denominator*multiplier``:
    ``stats.proportions.wilson_ci``.

Age standardisation (:mod:`transforms.udfs.standardised`)
--------------------------------------------------------
``esp2013_weight(age DOUBLE) -> DOUBLE``
    2013 European Standard Population of the 19-band ESP2013 band holding an
    age in completed years (``esp2013_weight(0) = 5000``, ``esp2013_weight(90) = 1000``):
    ``stats.constants.ESP2013_WEIGHTS[esp2013_band_index(age)]``.  Also as the
    dbt seed ``esp2013``.
``esp2013_band(age DOUBLE) -> VARCHAR``
    Its label, ``'0-4'`` ... ``'90+'``: ``stats.constants.esp2013_band``.
``dsr(observed DOUBLE[], population DOUBLE[], standard_population DOUBLE[], multiplier DOUBLE, conf_level DOUBLE) -> STRUCT(value DOUBLE, lower DOUBLE, upper DOUBLE, total_count DOUBLE, total_population DOUBLE, reason VARCHAR)``
    Directly standardised rate with Dobson limits, one list element per age
    band in the same order in all three lists:
    ``stats.standardised.dsr_details`` (as ``dsr``).  Not published under 10
    events: value and limits NULL with ``reason = 'total count < 10'``; a zero
    population in any band gives NULLs with ``reason = 'population zero in a
    band'``.  A NULL element of ``observed`` counts as 0 events; a NULL
    element of ``population`` or ``standard_population``, lists of different
    lengths (a missing band) or an empty list is an error, as in Python.
``isr_expected(population DOUBLE[], reference_counts DOUBLE[], reference_population DOUBLE[]) -> DOUBLE``
    Expected events ``sum(n_i * X_i / N_i)`` over the bands:
    ``stats.standardised.expected_count``.
``isr(observed DOUBLE, expected DOUBLE, refvalue DOUBLE, conf_level DOUBLE) -> STRUCT(value DOUBLE, lower DOUBLE, upper DOUBLE)``
    Indirectly standardised ratio ``observed/expected*refvalue`` with exact
    (below 10) or Byar's limits: ``stats.standardised.isr``.  ``refvalue`` 1
    or 100 gives the ratio; the reference rate gives the indirectly
    standardised rate (``stats.standardised.israte``).  ``expected = 0`` gives
    NULL fields.

Funnel plots (:mod:`transforms.udfs.funnels`)
--------------------------------------------
``funnel_rate_limits(denominator DOUBLE, benchmark_rate DOUBLE, multiplier DOUBLE, conf_level DOUBLE, method VARCHAR) -> STRUCT(lower DOUBLE, upper DOUBLE)``
    Control limits of a rate at a denominator around the benchmark rate
    (per ``multiplier``); ``method`` is ``'exact'`` (the Fingertips funnel),
    ``'byar'`` or ``'mixed'`` (exact below 10, Byar's from 10):
    ``stats.funnels.rate_funnel_limits``.
``funnel_proportion_limits(denominator DOUBLE, benchmark DOUBLE, multiplier DOUBLE, conf_level DOUBLE) -> STRUCT(lower DOUBLE, upper DOUBLE)``
    Control limits of a proportion (benchmark on the ``multiplier`` scale,
    100 for percentages): ``stats.funnels.proportion_funnel_limits``.
``classify_against_limits(value DOUBLE, lower_95 DOUBLE, upper_95 DOUBLE, lower_998 DOUBLE, upper_998 DOUBLE) -> VARCHAR``
    ``'above 99.8%'``, ``'above 95%'``, ``'within'``, ``'below 95%'``,
    ``'below 99.8%'``: ``stats.funnels.classify_against_limits``.

Quantiles (:mod:`transforms.udfs.quantiles`)
-------------------------------------------
``fingertips_quantile(value DOUBLE, all_values DOUBLE[], nquantiles INTEGER, invert BOOLEAN) -> INTEGER``
``fingertips_quintile(value DOUBLE, all_values DOUBLE[], invert BOOLEAN) -> INTEGER``
    Quantile (1..n) of ``value`` among ``all_values`` as Fingertips assigns
    it (ties share the lowest rank; ``invert = true`` puts the highest
    values in quantile 1): ``stats.quantiles.assign_quantiles`` on the list.
    ``all_values`` is normally the window list ``list(value) over (partition
    by ...)``; its NULLs are not ranked, fewer non-NULL values than quantiles
    gives NULL, and a ``value`` missing from the list is an error.

Inequality (:mod:`transforms.udfs.inequality`; lists ordered from SIMD 1, the most deprived)
-----------------------------------------------------------------------------------------
``sii(value DOUBLE[], population DOUBLE[], lower_cl DOUBLE[], upper_cl DOUBLE[], value_type VARCHAR, multiplier DOUBLE, conf_level DOUBLE) -> STRUCT(sii DOUBLE, sii_lower DOUBLE, sii_upper DOUBLE, rii DOUBLE, rii_lower DOUBLE, rii_upper DOUBLE, intercept DOUBLE)``
    Slope and relative index of inequality (PHEindicatormethods ``phe_sii``,
    untransformed; ``value_type`` ``'normal'``, ``'rate'`` or
    ``'proportion'``; standard errors from each group's 95% limits) with
    limits at ``conf_level`` (0.9 to 1) simulated from 100,000 draws of a
    generator seeded with ``transforms.udfs.inequality.SII_SEED`` afresh for
    every row, so results are reproducible and independent of the other rows:
    ``stats.inequality.slope_index_of_inequality``.  5 to 100 groups; a NULL
    value element gives NULL fields; a NULL or non-positive population, NULL
    limits or an empty list is an error.
``par(rate DOUBLE[], population DOUBLE[]) -> DOUBLE``
    Population attributable risk, percent, least deprived group last:
    ``stats.inequality.population_attributable_risk``.
``scotpho_inequality(rate DOUBLE[], population DOUBLE[], overall_rate DOUBLE, conf_level DOUBLE) -> STRUCT(sii DOUBLE, sii_lower DOUBLE, sii_upper DOUBLE, rii DOUBLE, rii_lower DOUBLE, rii_upper DOUBLE, rii_int DOUBLE, rii_int_lower DOUBLE, rii_int_upper DOUBLE, par DOUBLE, abs_range DOUBLE, rel_range DOUBLE)``
    The ScotPHO measures (SII positive when rates fall with deprivation,
    regression limits, RII = SII / overall rate, PAR with ``overall_rate``,
    ranges) for 5 or 10 groups: ``stats.inequality.scotpho_inequality_measures``.

Other
-----
``name_key(name VARCHAR) -> VARCHAR``
    Comparison key for area names spelt differently by publishers
    (``transforms.reference.names.name_key``).

NULL handling
-------------
The functions are registered with ``null_handling=SPECIAL`` so that they may
return NULL themselves (under DuckDB's DEFAULT handling a UDF that returns
NULL is an error).  A NULL in any argument (a NULL list, not a NULL list
element) gives NULL, a NULL struct for the STRUCT functions.  Results that
are NaN in Python, e.g. a rate limit for a population of zero, come back as
NULL rather than NaN, because NaN sorts above every number in DuckDB and
would slip through ``is not null`` filters.  Arguments Python rejects (a
negative count, ``conf_level`` outside (0, 1), lists of unequal length, ...)
raise, failing the query with the Python message.

duckdb 2.0 notes: the UDF enums moved to ``duckdb.func`` and the types to
``duckdb.sqltypes`` (older releases: ``duckdb.functional``/``duckdb.typing``);
Arrow UDFs receive LIST arguments as pyarrow list arrays and may return
STRUCTs as pyarrow StructArrays, and DuckDB may call them from several
threads at once, so they keep no shared mutable state.
"""

from __future__ import annotations

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from transforms.udfs import UDF_NAMES, register

__all__ = ["Plugin", "register", "UDF_NAMES"]


class Plugin(BasePlugin):
    """dbt-duckdb plugin that registers the UDFs on every dbt connection."""

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        register(conn)

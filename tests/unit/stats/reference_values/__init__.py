"""Published reference values shared by the Python and the SQL tests of a transforms.stats module.

Each table is copied from its source and cited beside it (repository, file, sheet
or commit, cell or row). The Python tests (tests/unit/stats/) and the SQL
function tests (tests/unit/udfs/) import them from here.
"""

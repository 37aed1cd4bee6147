"""The model: the means test, cost of care and rate cards, survey statistics, indexation, the
funding split, fee changes and their cost, the market, demand and sensitivity. Pure functions of a
:class:`~feemodel.model.case.Case` (or of DataFrames and arrays) that return DataFrames: no file
I/O, no formatting, no labels."""

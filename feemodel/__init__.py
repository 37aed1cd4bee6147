"""feemodel: set the weekly fees a council pays care homes, and show who pays what.

Data flows one way: dated national parameters and a scenario (with its data files) go in,
tables come out; notebooks, the evidence pack builder and the CLI sit on top.
"""

__version__ = "0.1.0"

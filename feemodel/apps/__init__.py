"""Apps: the ``feemodel`` command line and the interactive explorer. Thin: parse, call, print."""

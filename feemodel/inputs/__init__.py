"""Inputs: the scenario schema, the dated national parameter tree, the council's data files and
their validation, and the example council. Reads files; knows nothing of models or outputs."""

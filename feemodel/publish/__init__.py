"""Publication: the table registry, labels and units, small-number suppression, CSV and Excel
writers, the evidence pack and its verification. Turns model results into files people read."""

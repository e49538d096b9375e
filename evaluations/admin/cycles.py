"""Admin for cycles, phase windows, loci and evaluator assignments (with import-export)."""

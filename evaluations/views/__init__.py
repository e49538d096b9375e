"""HTML views of the evaluations app, one module per area."""

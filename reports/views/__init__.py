"""Views of the reports app, one module per area."""

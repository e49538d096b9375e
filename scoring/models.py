"""Results and rankings are added with the scoring issue."""

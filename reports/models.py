"""Documents and background jobs are added with the publication issue."""

"""Reads of the scoring app, one module per area: `rankings` (live results), `publication`
(validation and revisions) and `public` (the public pages, published figures only)."""

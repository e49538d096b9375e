"""PostgreSQL only: indexes for the public ranking pages of 20,000+ published results.

- a trigram index on the upper-cased unit name, which the name search's
  `UPPER(unit_name) LIKE UPPER('%…%')` (Django's `icontains`) can use instead of reading
  every row of the publication;
- (publication, rank, id) for the national and the per-group order, so a page's rows are
  found with an index-only scan however deep the page.

pg_trgm is a trusted extension: the database owner may create it. Nothing is done on other
databases (SQLite in development and tests), where the model's own indexes suffice.
"""

from django.db import migrations

FORWARD = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS pubres_name_trgm ON scoring_publishedresult"
    " USING gin (UPPER(unit_name::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS pubres_national_page ON scoring_publishedresult"
    " (publication_id, rank_national, id)",
    "CREATE INDEX IF NOT EXISTS pubres_group_page ON scoring_publishedresult"
    " (publication_id, ranking_group, rank, id)",
)
BACKWARD = (
    "DROP INDEX IF EXISTS pubres_group_page",
    "DROP INDEX IF EXISTS pubres_national_page",
    "DROP INDEX IF EXISTS pubres_name_trgm",
)


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("scoring", "0002_publication")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]

"""PostgreSQL only: a trigram index on the names a public ranking search reads.

The search matches every word against the unit's, the agency's and the province's name
(`scoring.selectors.public.SEARCH_NAMES`: the three names joined by spaces, upper-cased; each
word is a `LIKE '%WORD%'` on it). The index's expression is compiled by Django from the same
expression, so it is exactly the SQL of the search's queries. It replaces the index of 0003 on
the unit name alone, which no query uses any more. Nothing is done on other databases.
"""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Upper
from django.db.models.sql import Query

NAMES = Upper(Concat("unit_name", Value(" "), "agency_name", Value(" "), "province_name"))


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    query = Query(apps.get_model("scoring", "PublishedResult"), alias_cols=False)
    sql, params = NAMES.resolve_expression(query).as_sql(
        query.get_compiler(connection=connection), connection
    )
    schema_editor.execute("DROP INDEX IF EXISTS pubres_name_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS pubres_names_trgm ON scoring_publishedresult"
        f" USING gin (({sql}) gin_trgm_ops)",
        params,
    )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS pubres_names_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS pubres_name_trgm ON scoring_publishedresult"
        " USING gin (UPPER(unit_name::text) gin_trgm_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [("scoring", "0005_priority_decisions")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]

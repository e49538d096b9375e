"""Model instances from a plain SQL row, for the few hot reads where compiling the ORM query
costs more than running it (the F-02 page, the signed-in user on every request).

`ModelColumns(Model, "alias")` gives the SELECT list of a model's concrete columns under a
table alias and turns the matching slice of a row back into an instance exactly as the ORM
would: each value goes through the database backend's and the field's converters (SQLite's
text timestamps become aware datetimes, its integers booleans, JSON text a dict), then
`Model.from_db`, so the instance is "from the database" (not adding, saving it updates).
Joins are written in SQL by the caller (`fetch` runs it); tests compare the instances with
the ORM's.
"""

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model


def fetch(sql: str, params: Sequence) -> list[tuple]:
    """All rows of one SELECT on the default database."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class ModelColumns:
    def __init__(self, model: type[Model], alias: str):
        self.model = model
        self.alias = alias
        self.fields = tuple(model._meta.concrete_fields)
        self.attnames = tuple(f.attname for f in self.fields)
        quote = connection.ops.quote_name
        self.sql = ", ".join(f"{alias}.{quote(f.column)}" for f in self.fields)
        self._converters = None

    def __len__(self) -> int:
        return len(self.fields)

    def _converters_for_connection(self):
        """(position, [converter], expression) for the columns that need converting."""
        if self._converters is None:
            found = []
            for position, field in enumerate(self.fields):
                expression = field.get_col(self.alias)
                converters = connection.ops.get_db_converters(
                    expression
                ) + expression.get_db_converters(connection)
                if converters:
                    found.append((position, converters, expression))
            self._converters = found
        return self._converters

    def load(self, row: Sequence, start: int = 0) -> Model:
        """The instance held in `row[start:start + len(self)]`."""
        values = list(row[start : start + len(self.fields)])
        for position, converters, expression in self._converters_for_connection():
            value = values[position]
            for converter in converters:
                value = converter(value, expression, connection)
            values[position] = value
        return self.model.from_db(connection.alias, self.attnames, values)


def load_joined(row: Sequence, *tables: ModelColumns) -> list[Model]:
    """One instance per table, from a row that selected their columns in this order."""
    instances, start = [], 0
    for table in tables:
        instances.append(table.load(row, start))
        start += len(table)
    return instances

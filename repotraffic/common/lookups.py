from typing import TypeVar

from django.db import connections, models

ModelT = TypeVar("ModelT", bound=models.Model)


def model_get_by_fields(model: type[ModelT], **values: object) -> ModelT | None:
    """The first row whose fields equal `values`, or None, through a raw SELECT.

    For the lookups on every API request only (the token, the repository): building
    SQL through the ORM's compiler costs several times the query itself
    (bench/bench_api.py). Column names come from the model, values are parameters,
    and each value goes through its field's own conversion (UUIDs on SQLite and
    PostgreSQL alike).
    """
    connection = connections["default"]
    quote = connection.ops.quote_name
    where, params = [], []
    for name, value in values.items():
        field = model._meta.get_field(name)
        # A reverse relation or a field without a column could not be compared anyway.
        if not isinstance(field, models.Field) or field.column is None:
            raise TypeError(f"{model.__name__}.{name} is not a column")
        where.append(f"{quote(field.column)} = %s")
        params.append(field.get_db_prep_value(value, connection))
    sql = f"SELECT * FROM {quote(model._meta.db_table)} WHERE {' AND '.join(where)} LIMIT 1"  # noqa: S608
    # _default_manager is `objects` on every model here; type[ModelT] only knows this name.
    found = list(model._default_manager.raw(sql, params))
    return found[0] if found else None

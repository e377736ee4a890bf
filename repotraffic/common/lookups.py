"""Raw SELECTs for the lookups every API request makes (the token's user, the requested
repository, its collection state), built once from the models' metadata.

Building SQL through the ORM's compiler costs several times running the query
(bench/bench_api.py), and these run on every request. Here the SQL text is made once per
database and reused: table and column names come from the models, values are
parameters converted by their fields (UUIDs on SQLite and PostgreSQL alike), and each
column read goes through the converters the ORM would apply to it. Every other query
uses the ORM.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Col

ModelT = TypeVar("ModelT", bound=models.Model)


@dataclass(frozen=True)
class Param:
    """A value given to `JoinedLookup.get` under this name."""

    name: str


@dataclass(frozen=True)
class Column:
    """A column of a table earlier in the lookup: its index there and the field's name."""

    table: int
    field: str


@dataclass(frozen=True)
class Table:
    """One model of a lookup and what its row must match, field by field, and must not
    (`unless`: a row whose field equals that value is left out); `fields` limits what is
    read of it (its primary key is always read)."""

    model: type[models.Model]
    match: dict[str, Param | Column]
    fields: tuple[str, ...] | None = None
    unless: dict[str, Param] = field(default_factory=dict)


def _column(model: type[models.Model], name: str) -> tuple[models.Field, str]:
    """The field named `name` and its column."""
    found = model._meta.get_field(name)
    # A reverse relation or a field without a column could not be compared anyway.
    if not isinstance(found, models.Field) or found.column is None:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return found, found.column


@dataclass
class _Read:
    model: type[models.Model]
    attnames: list[str]
    columns: list[tuple[Col, list[Callable[..., Any]]]]  # each with its converters
    pk_index: int
    start: int  # its first column in the row

    def instance(self, row: tuple[Any, ...], connection: BaseDatabaseWrapper) -> Any:
        values = list(row[self.start : self.start + len(self.columns)])
        if values[self.pk_index] is None:  # a LEFT JOIN that found nothing
            return None
        for index, (col, converters) in enumerate(self.columns):
            value = values[index]
            for converter in converters:
                value = converter(value, col, connection)
            values[index] = value
        return self.model.from_db(connection.alias, self.attnames, values)


def _cursor(connection: BaseDatabaseWrapper) -> Any:
    """A cursor for these lookups. On PostgreSQL one that binds parameters on the server,
    so that the statement is prepared once per connection and then run without being
    parsed and planned again: planning the joined lookup cost twice running it
    (bench/bench_api.py). Django's own cursors bind on the client, and its connections
    come with prepared statements switched off for the sake of transaction-mode poolers
    (PgBouncer before 1.21); switching them on only matters to cursors that bind on the
    server, these. Everywhere else, Django's cursor. Either way wrapped as Django wraps
    its own: errors, query logging and counting (assertNumQueries) as for any query."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    connection.validate_thread_sharing()
    driver = connection.connection
    if driver.prepare_threshold is None:
        driver.prepare_threshold = 5  # psycopg's default; Django sets None
    raw: Any = ServerBindingCursor(driver)  # type: ignore[call-arg]  # stubs lack psycopg's
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


@dataclass
class _Compiled:
    sql: str
    params: list[tuple[str, models.Field]]  # each parameter's name and its field
    reads: list[_Read] = field(default_factory=list)


@dataclass(frozen=True)
class LookupRow:
    """One row of a JoinedLookup, raw: `values(i)` are table i's columns as the database
    gave them (in its model's field order, primary key included), `instance(i)` its
    model instance (None where the LEFT JOIN found no row)."""

    raw: tuple[Any, ...]
    reads: list[_Read]

    def values(self, index: int) -> tuple[Any, ...]:
        read = self.reads[index]
        return self.raw[read.start : read.start + len(read.columns)]

    def instance(self, index: int) -> Any:
        return self.reads[index].instance(self.raw, connections["default"])

    def instances(self) -> tuple[Any, ...]:
        connection = connections["default"]
        return tuple(read.instance(self.raw, connection) for read in self.reads)


class JoinedLookup:
    """One SELECT: the first table's row where its `match` holds, and for each table
    after it the row LEFT JOINed where its own `match` holds (None where none does).

        lookup = JoinedLookup(
            Table(User, match={"token_digest": Param("digest")}),
            Table(Repository, match={"user": Column(0, "id"), "id": Param("id")}),
        )
        user, repository = lookup.get(digest=..., id=...) or (None, None)
    """

    def __init__(self, *tables: Table) -> None:
        if not tables:
            raise ValueError("a lookup needs a table")
        self.tables = tables
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, connection: BaseDatabaseWrapper) -> _Compiled:
        quote = connection.ops.quote_name
        params: list[tuple[str, models.Field]] = []

        def condition(index: int, table: Table) -> str:
            parts = []
            conditions = [(name, value, "=") for name, value in table.match.items()]
            conditions += [(name, value, "<>") for name, value in table.unless.items()]
            for name, value, operator in conditions:
                model_field, column = _column(table.model, name)
                left = f"t{index}.{quote(column)}"
                if isinstance(value, Param):
                    params.append((value.name, model_field))
                    parts.append(f"{left} {operator} %s")
                else:
                    other = _column(self.tables[value.table].model, value.field)[1]
                    parts.append(f"{left} {operator} t{value.table}.{quote(other)}")
            return " AND ".join(parts)

        selected: list[str] = []
        reads: list[_Read] = []
        joins: list[str] = []
        for index, table in enumerate(self.tables):
            meta = table.model._meta
            names = {meta.pk.name, *(table.fields or [each.name for each in meta.concrete_fields])}
            wanted = [each for each in meta.concrete_fields if each.name in names]
            alias = f"t{index}"
            columns = []
            for each in wanted:
                col = each.get_col(alias)
                converters = connection.ops.get_db_converters(col) + col.get_db_converters(
                    connection
                )
                columns.append((col, converters))
                selected.append(f"{alias}.{quote(_column(table.model, each.name)[1])}")
            pk_index = [each.name for each in wanted].index(meta.pk.name)
            start = sum([len(read.columns) for read in reads])
            attnames = [each.attname for each in wanted]
            reads.append(_Read(table.model, attnames, columns, pk_index, start))
            if index:
                on = condition(index, table)
                joins.append(f"LEFT JOIN {quote(meta.db_table)} {alias} ON {on}")
        where = condition(0, self.tables[0])
        first = quote(self.tables[0].model._meta.db_table)
        sql = (
            f"SELECT {', '.join(selected)} FROM {first} t0 {' '.join(joins)} "  # noqa: S608
            f"WHERE {where} LIMIT 1"
        )
        return _Compiled(sql=sql, params=params, reads=reads)

    def _compiled_for(self, connection: BaseDatabaseWrapper) -> _Compiled:
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            compiled = self._compiled[connection.vendor] = self._compile(connection)
        return compiled

    def row(self, **values: object) -> LookupRow | None:
        """The joined row as the database gives it, before any conversion; None if the
        first table has no matching row. For a caller that can answer from the raw
        values (a cache keyed by them) and converts only when it must (instances)."""
        connection = connections["default"]
        compiled = self._compiled_for(connection)
        params = [
            each.get_db_prep_value(values[name], connection) for name, each in compiled.params
        ]
        with _cursor(connection) as cursor:
            cursor.execute(compiled.sql, params)
            found = cursor.fetchone()
        return None if found is None else LookupRow(found, compiled.reads)

    def get(self, **values: object) -> tuple[Any, ...] | None:
        """The instances of the tables' rows, None for a joined table without one; None
        if the first table has no matching row."""
        found = self.row(**values)
        return None if found is None else found.instances()


@functools.lru_cache(maxsize=64)
def _lookup_by_fields(model: type[models.Model], names: tuple[str, ...]) -> JoinedLookup:
    return JoinedLookup(Table(model, match={name: Param(name) for name in names}))


def model_get_by_fields(model: type[ModelT], **values: object) -> ModelT | None:
    """The first row whose fields equal `values`, or None (JoinedLookup, one table)."""
    found = _lookup_by_fields(model, tuple(values)).get(**values)
    return None if found is None else found[0]

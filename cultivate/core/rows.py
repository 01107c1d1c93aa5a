"""Model instances from hand-written SQL, for the few hot read paths where building the query through the ORM
costs more than running it (the API's token check and delegation check answer many calls a second).

`select_list(model, alias)` names every concrete column of a model under a table alias; `from_row(model, row,
start)` turns that slice of a result row into an instance exactly as a queryset would: the database's values
pass through the same converters (dates, aware datetimes, UUIDs, JSON, booleans) and `Model.from_db` builds it,
so it compares, saves and lazy-loads relations like any other. `Columns` names the other columns of a
statement, so that its rows are read by name, not by position. `statement(key, build)` keeps the SQL text once
written (per vendor); `insert(instance)` writes an unsaved instance as `save()` would, in one INSERT. Table and
column names come from the models' `_meta` (quoted once per vendor and kept: the one name cache of the hand-written
statements); callers bind every value as a parameter.

Hand-written SQL is only for reads a benchmark needs (ADR 0025 lists each statement and the
figure that justifies it); each has a test that it gives what the ORM gives."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

_M = TypeVar("_M", bound=Model)

# Per connection (converters are bound to its backend) and model: the attnames in column order and, for each
# column that needs one, its converters with the column expression they expect.
_Converters = list[tuple[int, list[Callable[..., Any]], Any]]
_Plan = tuple[list[str], _Converters, int]
_plans: WeakKeyDictionary[BaseDatabaseWrapper, dict[type[Model], _Plan]] = WeakKeyDictionary()


def _connection() -> BaseDatabaseWrapper:
    return connections[DEFAULT_DB_ALIAS]


def _plan(model: type[Model], connection: BaseDatabaseWrapper) -> _Plan:
    by_model = _plans.setdefault(connection, {})
    plan = by_model.get(model)
    if plan is None:
        names, converters, pk_position = [], [], 0
        for position, field in enumerate(model._meta.concrete_fields):
            names.append(field.attname)
            if field.primary_key:
                pk_position = position
            column = field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                converters.append((position, found, column))
        plan = by_model[model] = (names, converters, pk_position)
    return plan


# Quoted names, kept per vendor (quoting differs): statements written on every call (a batch of a new shape)
# quote dozens of names, and looking up the connection and quoting each cost more than running the query.
_names: dict[tuple[str, type[Model] | None, str, str | None], str] = {}


def quote(name: str) -> str:
    return _connection().ops.quote_name(name)


def table(model: type[Model]) -> str:
    vendor = _connection().vendor
    found = _names.get((vendor, model, "", None))
    if found is None:
        found = _names[(vendor, model, "", None)] = quote(model._meta.db_table)
    return found


def column(model: type[Model], name: str, alias: str | None = None) -> str:
    """`"alias"."column"` of the field `name` (the table's own name without an alias)."""
    key = (_connection().vendor, model, name, alias)
    found = _names.get(key)
    if found is None:
        field = model._meta.get_field(name)
        attname = getattr(field, "column", None)
        assert attname, f"{model.__name__}.{name} is not a column"
        found = _names[key] = f"{quote(alias) if alias else table(model)}.{quote(attname)}"
    return found


class Columns:
    """The columns of a hand-written SELECT, by name. `sql(expressions)` writes the select list in the declared
    order; `self[name]` is a column's position in a result row and `named(row)` the row as a mapping, so that
    readers say which column they mean (a loop over thousands of rows looks the positions up once, before it)."""

    def __init__(self, *names: str) -> None:
        self.names = names
        self._at = {name: position for position, name in enumerate(names)}
        assert len(self._at) == len(names), "a column named twice"

    def __getitem__(self, name: str) -> int:
        return self._at[name]

    def __len__(self) -> int:
        return len(self.names)

    def sql(self, expressions: Mapping[str, str]) -> str:
        assert set(expressions) == set(self.names), set(expressions) ^ set(self.names)
        return ", ".join(expressions[name] for name in self.names)

    def named(self, row: Sequence[Any], start: int = 0) -> dict[str, Any]:
        return dict(zip(self.names, row[start : start + len(self.names)], strict=True))


def select_list(model: type[Model], alias: str | None = None) -> str:
    """Every concrete column of `model`, in field order, as `from_row` reads them."""
    prefix = quote(alias) if alias else table(model)
    return ", ".join(f"{prefix}.{quote(field.column)}" for field in model._meta.concrete_fields)


def width(model: type[Model]) -> int:
    return len(model._meta.concrete_fields)


def from_row(model: type[_M], row: Sequence[Any], start: int = 0) -> _M | None:
    """The instance in `row[start:start + width(model)]` (as `select_list` selected it); None when its primary
    key is NULL (nothing matched a LEFT JOIN)."""
    return _from_row(model, row, start, _connection())


def split(row: Sequence[Any], models: Sequence[type[Model]], start: int = 0) -> list[Any]:
    """The instances of `models`, selected one after the other with `select_list` from `start` on."""
    connection = _connection()
    found = []
    for model in models:
        found.append(_from_row(model, row, start, connection))
        start += len(model._meta.concrete_fields)
    return found


def _from_row(model: type[_M], row: Sequence[Any], start: int, connection: BaseDatabaseWrapper) -> _M | None:
    names, converters, pk_position = _plan(model, connection)
    values = list(row[start : start + len(names)])
    if values[pk_position] is None:
        return None
    for position, found, expression in converters:
        value = values[position]
        for converter in found:
            value = converter(value, expression, connection)
        values[position] = value
    return model.from_db(DEFAULT_DB_ALIAS, names, values)


def converter(model: type[Model], name: str) -> Callable[[Any], Any]:
    """Turns a raw value of the field `name` into what a queryset would give (a UUID, decoded JSON…)."""
    connection = _connection()
    names, converters, _ = _plan(model, connection)
    position = names.index(model._meta.get_field(name).attname)  # type: ignore[union-attr]
    found = next((c for c in converters if c[0] == position), None)
    if found is None:
        return lambda value: value
    _, functions, expression = found

    def convert(value: Any) -> Any:
        for function in functions:
            value = function(value, expression, connection)
        return value

    return convert


_statements: dict[tuple[str, Hashable], str] = {}
_STATEMENTS_KEPT = 500


def statement(key: Hashable, build: Callable[[], str], *, keep: bool = True) -> str:
    """The SQL `build()` writes, built once per database vendor (quoting differs) and kept: writing it quotes
    dozens of names, which costs more than running it. `key` names the statement (with its shape, for one whose
    text depends on the number of values); `keep=False` writes it without keeping it (a batch of a size seen
    once would only fill the cache), as does a full cache."""
    full_key = (_connection().vendor, key)
    sql = _statements.get(full_key)
    if sql is None:
        sql = build()
        if keep and len(_statements) < _STATEMENTS_KEPT:
            _statements[full_key] = sql
    return sql


def insert(instance: Model) -> None:
    """Insert an unsaved instance with one hand-written INSERT and set its primary key: the values are the
    ones `save()` would write (each field's `pre_save`, so `auto_now_add` is set, then its
    `get_db_prep_save`), without compiling the INSERT through the ORM. No signals are sent."""
    model = type(instance)
    meta = model._meta
    connection = _connection()
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    pk = meta.pk
    assert pk is not None and instance.pk is None and getattr(pk, "db_returning", False)

    def build() -> str:
        sql = (
            f"INSERT INTO {table(model)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        if connection.features.can_return_columns_from_insert:
            sql += f" RETURNING {quote(pk.column)}"
        return sql

    values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(statement(f"insert_{meta.label}", build), values)
        if connection.features.can_return_columns_from_insert:
            row = cursor.fetchone()
            assert row is not None
            new_pk = row[0]
        else:
            new_pk = connection.ops.last_insert_id(cursor, meta.db_table, pk.column)
    setattr(instance, pk.attname, new_pk)
    instance._state.adding = False
    instance._state.db = DEFAULT_DB_ALIAS

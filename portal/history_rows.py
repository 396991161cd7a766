"""django-simple-history rows for rows written in bulk, copied in the database.

`history_copy(model, pks, kind=…, actor=…, reason=…, when=…)` writes, for each given row of
`model`, the historical row simple-history's own bulk helpers would write (the same columns,
`kind` "+" created or "~" changed, the actor and the reason), by INSERT … SELECT from the
saved rows, without building thousands of historical objects in Python. The past-date reads
(`measures.history`) rely on every write leaving such a row.

`when` is the moment recorded (a datetime); `when_field`, instead, names a date field of the
model whose value (at midnight) is the moment recorded, row by row.

`history_save(row, actor=…, reason=…)` is the one-row write of every service: validate, then
save with the actor (and the reason, when given) on the historical row simple-history writes.
"""

from __future__ import annotations

from django.db import connection

_HISTORY_OWN = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
}
CHUNK = 1000


def history_save(row, *, actor, reason: str | None = None) -> None:
    """`full_clean()` the row, then save it; its history row records `actor` and `reason`."""
    row.full_clean()
    row._history_user = actor
    if reason is not None:
        row._change_reason = reason
    row.save()


def history_copy(
    model, pks: list[int], *, kind: str, actor, reason: str, when=None, when_field: str = ""
) -> None:
    history = model.history.model
    quote = connection.ops.quote_name
    columns = [quote(f.column) for f in history._meta.concrete_fields if f.name not in _HISTORY_OWN]
    extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
    target, source = quote(history._meta.db_table), quote(model._meta.db_table)
    recorded = (
        f"CAST({quote(model._meta.get_field(when_field).column)} AS TIMESTAMP)"
        if (when_field)
        else "%s"
    )
    # Names come from the models; every value is a parameter.
    insert = f"INSERT INTO {target} ({', '.join(columns + [quote(c) for c in extra])}) "
    select = f"SELECT {', '.join(columns)}, {recorded}, %s, %s, %s FROM {source} "  # noqa: S608
    where = f"WHERE {quote(model._meta.pk.column)} IN "
    head = ([] if when_field else [when]) + [reason, kind, actor.pk if actor else None]
    with connection.cursor() as cursor:
        for start in range(0, len(pks), CHUNK):
            chunk = pks[start : start + CHUNK]
            sql = insert + select + where + "(" + ", ".join(["%s"] * len(chunk)) + ")"
            cursor.execute(sql, [*head, *chunk])

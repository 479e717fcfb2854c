"""A pull: the accepted row versions after a sequence number that the caller may see."""

from __future__ import annotations

from sqlalchemy import Engine, select

from inspector_app.domain.sync import MAX_PULL_PAGE, PullResponse, ServerChange

from .auth import Caller
from .storage import changes, read_tx

DEFAULT_PAGE = 500


def pull(engine: Engine, caller: Caller, after: int, limit: int = DEFAULT_PAGE) -> PullResponse:
    limit = max(1, min(limit, MAX_PULL_PAGE))
    query = (
        select(
            changes.c.seq,
            changes.c.table_name,
            changes.c.row_id,
            changes.c.rev,
            changes.c.op,
            changes.c.fields,
        )  # fmt: skip
        .where(changes.c.seq > after)
        .order_by(changes.c.seq)
        .limit(limit + 1)
    )
    if not caller.national:
        query = query.where(changes.c.office == caller.field_office)
    with read_tx(engine) as conn:
        found = conn.execute(query).all()
    page = [
        ServerChange(
            seq=r.seq, table=r.table_name, row_id=r.row_id, rev=r.rev, op=r.op, row=r.fields
        )
        for r in found[:limit]
    ]
    return PullResponse(
        changes=page, cursor=page[-1].seq if page else after, more=len(found) > limit
    )

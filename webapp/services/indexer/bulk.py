"""COPY inside the session's transaction: the indexer's bulk writes (many rows per batch)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import psycopg
from sqlalchemy import text

from webapp.extensions import db


def _cursor() -> psycopg.Cursor[Any]:
    """A psycopg cursor on the connection (and transaction) the session is using."""
    driver = db.session.connection().connection.driver_connection
    if not isinstance(driver, psycopg.Connection):
        raise TypeError(f"COPY needs the psycopg driver (postgresql+psycopg://), not {type(driver).__name__}")
    return driver.cursor()


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    with _cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def staged(table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """COPY rows into a session temp table shaped like `table` (emptied at commit); returns its name."""
    stage = f"incoming_{table}"
    db.session.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS "
                            f"SELECT {', '.join(columns)} FROM {table} WITH NO DATA"))
    db.session.execute(text(f"TRUNCATE {stage}"))
    copy_rows(stage, columns, rows)
    return stage

"""The checked-in migrations build the schema from nothing and take it down again."""
from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from tests.conftest import _libpq_url

SCRATCH = "momentum_migrations_test"


@pytest.fixture()
def scratch_url(database_url: str) -> Iterator[str]:
    admin = _libpq_url(database_url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}"')
        conn.execute(f'CREATE DATABASE "{SCRATCH}"')
    yield _libpq_url(database_url, SCRATCH).replace("postgresql://", "postgresql+psycopg://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')


def test_upgrade_from_empty_then_downgrade_to_nothing(app, scratch_url) -> None:
    from webapp import create_app
    from webapp.extensions import db

    scratch = create_app({"SQLALCHEMY_DATABASE_URI": scratch_url, "REDIS_URL": app.config["REDIS_URL"],
                          "RATELIMIT_STORAGE_URI": app.config["RATELIMIT_STORAGE_URI"]})
    engine = create_engine(scratch_url)
    try:
        with scratch.app_context():
            upgrade()
            tables = set(inspect(engine).get_table_names())
            assert {t.name for t in db.metadata.sorted_tables} <= tables
            downgrade(revision="base")
            assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            assert {t.name for t in db.metadata.sorted_tables} <= set(inspect(engine).get_table_names())
            db.session.remove()
            db.engine.dispose()
    finally:
        engine.dispose()

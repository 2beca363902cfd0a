"""Alembic environment: the engine comes from ``shumao.storage.engine.alembic_config``."""

from alembic import context

from shumao.storage.tables import metadata

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()

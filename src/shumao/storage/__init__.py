"""The statistical store: engine, tables, migrations, vintages, backup and restore."""

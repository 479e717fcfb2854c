"""Tables, the SQLite engine, migrations and read queries."""

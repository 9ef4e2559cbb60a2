"""Storage: SQL database (SQLite by default, PostgreSQL by URL) and the data folder."""

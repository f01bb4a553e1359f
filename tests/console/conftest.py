"""The console tests run on every database the shared fixtures give (SQLite; PostgreSQL when set)."""

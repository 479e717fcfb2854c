"""Pure program rules: no database, no Qt."""

"""The `inspector-app` command line."""

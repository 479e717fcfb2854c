"""The central sync service (FastAPI): see docs/sync.md."""

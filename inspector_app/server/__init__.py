"""The central sync service: a FastAPI app over its own SQLAlchemy Core tables
(docs/sync.md). Started by `inspector-app serve`; never imported by the laptop's ui or cli."""

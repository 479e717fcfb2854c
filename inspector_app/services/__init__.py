"""The only layer that writes. One function per user action, each one transaction
that also appends to the change log (the sync outbox) and the audit log."""

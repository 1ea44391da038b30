"""Pure ASGI middleware, one per file, so no request pays for a wrapper it does not need."""

"""The FastAPI service: echo and request-summary endpoints behind strict Pydantic schemas."""

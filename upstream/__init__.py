"""A local stand-in for the public APIs the caller uses (JSONPlaceholder and httpbin), so the
stack runs with no internet."""

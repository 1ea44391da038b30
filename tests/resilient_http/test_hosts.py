"""The per-host key of budgets, breakers and metric labels."""

from __future__ import annotations

import httpx2
import pytest

from resilient_http._engine import host_of, target_of


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://api:8000/todos/1?token=x", "http://api:8000"),
        ("http://api:80/todos/1", "http://api"),
        ("https://api/todos/1", "https://api"),
        ("https://api:8443/", "https://api:8443"),
        ("http://[::1]:9000/x", "http://[::1]:9000"),
        ("http://user:secret@api:8000/x", "http://api:8000"),
    ],
)
def test_host_of(url: str, host: str) -> None:
    """Scheme, host and a non-default port, without path, query or user info. A second call,
    served from the cache, returns the same key."""
    assert host_of(httpx2.URL(url)) == host
    assert host_of(httpx2.URL(url)) == host


def test_hosts_differ_by_scheme_and_port() -> None:
    """The same name on another scheme or port is another upstream."""
    hosts = {host_of(httpx2.URL(url)) for url in ("http://a:1/", "http://a:2/", "https://a:1/")}

    assert len(hosts) == 3


def test_target_drops_query_and_user_info() -> None:
    """Logs and errors name the URL without the parts that may carry secrets."""
    url = httpx2.URL("http://user:secret@api:8000/todos/1?token=x")

    assert target_of(url) == "http://api:8000/todos/1"

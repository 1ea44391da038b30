"""``caller call``: JSON output, exit codes and argument checks, against the stand-in upstream."""

from __future__ import annotations

import json

import pytest

from caller.cli import main
from tests.conftest import Server, free_port
from tests.resilient_http.stand_in import StandIn


def _run(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[dict[str, object]]]:
    with pytest.raises(SystemExit) as exited:
        main(["call", *argv])
    code = exited.value.code
    assert isinstance(code, int)
    lines = capsys.readouterr().out.splitlines()
    return code, [json.loads(line) for line in lines]


@pytest.fixture
def stand_in(upstream_server: Server) -> StandIn:
    return StandIn(upstream_server.url)


def test_success_prints_one_object(stand_in: StandIn, capsys: pytest.CaptureFixture[str]) -> None:
    """A 200 prints status, attempts, elapsed_s and a null error, and exits 0."""
    code, lines = _run(["GET", f"{stand_in.url}/todos/1"], capsys)

    assert code == 0
    assert len(lines) == 1
    assert lines[0]["status"] == 200
    assert lines[0]["error"] is None
    attempts = lines[0]["attempts"]
    assert isinstance(attempts, list)
    assert set(attempts[0]) >= {"outcome", "wait_s", "elapsed_s"}


def test_retried_call_lists_attempts(stand_in: StandIn, capsys: pytest.CaptureFixture[str]) -> None:
    """A 503 then a 200 shows two attempts and exits 0."""
    stand_in.script(times=1, status=503, headers={"Retry-After": "0"})
    code, lines = _run(["GET", stand_in.url + stand_in.path], capsys)

    assert code == 0
    assert [attempt["outcome"] for attempt in lines[0]["attempts"]] == ["503", "200"]


def test_failed_call_exits_1(stand_in: StandIn, capsys: pytest.CaptureFixture[str]) -> None:
    """A call that ends without a 2xx prints the error message and exits 1."""
    stand_in.script(times=None, status=503, headers={"Retry-After": "0"})
    code, lines = _run(["GET", stand_in.url + stand_in.path, "--attempts", "2"], capsys)

    assert code == 1
    assert lines[0]["status"] == 503
    assert "failed after 2 attempts" in str(lines[0]["error"])


def test_unreachable_status_null(capsys: pytest.CaptureFixture[str]) -> None:
    """A refused connection has a null status and exits 1."""
    code, lines = _run(["GET", f"http://127.0.0.1:{free_port()}/", "--deadline", "2"], capsys)

    assert code == 1
    assert lines[0]["status"] is None


def test_repeat_prints_summary(stand_in: StandIn, capsys: pytest.CaptureFixture[str]) -> None:
    """--repeat 3 prints three call lines and a summary of calls and attempts."""
    stand_in.script(times=1, status=503, headers={"Retry-After": "0"})
    code, lines = _run(["GET", stand_in.url + stand_in.path, "--repeat", "3"], capsys)

    assert code == 0
    assert len(lines) == 4
    assert lines[-1] == {"calls": 3, "attempts": 4, "attempts_per_call": 1.3333}


def test_body_headers_and_key_sent(stand_in: StandIn, capsys: pytest.CaptureFixture[str]) -> None:
    """--json, --header and --idempotency-key reach the server on every attempt."""
    stand_in.script(times=1, status=503, headers={"Retry-After": "0"})
    argv = [
        "POST",
        stand_in.url + stand_in.path,
        "--json",
        '{"a": 1}',
        "--header",
        "X-Probe: yes",
        "--idempotency-key",
        "fixed-key",
    ]
    code, _ = _run(argv, capsys)

    assert code == 0
    assert stand_in.sent_headers("X-Probe") == ["yes", "yes"]
    assert stand_in.sent_headers("Idempotency-Key") == ["fixed-key", "fixed-key"]
    assert stand_in.sent_headers("Content-Type") == ["application/json"] * 2


@pytest.mark.parametrize(
    ("argv", "argument"),
    [
        (["GET", "http://127.0.0.1:1/", "--json", "{x"], "--json"),
        (["GET", "http://127.0.0.1:1/", "--header", "no-colon"], "--header"),
        (["GET", "http://127.0.0.1:1/", "--deadline", "0"], "--deadline"),
        (["GET", "http://127.0.0.1:1/", "--deadline", "soon"], "--deadline"),
        (["GET", "http://127.0.0.1:1/", "--attempts", "0"], "--attempts"),
        (["GET", "http://127.0.0.1:1/", "--repeat", "-1"], "--repeat"),
        (["GET", "http://127.0.0.1:1/", "--idempotency-key", ""], "--idempotency-key"),
        (["GET", "ftp://127.0.0.1/"], "URL"),
        (["G3T", "http://127.0.0.1:1/"], "METHOD"),
    ],
    ids=[
        "json",
        "header",
        "deadline-zero",
        "deadline-text",
        "attempts",
        "repeat",
        "key",
        "url",
        "method",
    ],
)
def test_bad_argument_exits_2(
    argv: list[str], argument: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad argument exits 2 with a message naming it, and sends nothing."""
    with pytest.raises(SystemExit) as exited:
        main(["call", *argv])

    captured = capsys.readouterr()
    assert exited.value.code == 2
    assert f"argument {argument}" in captured.err
    assert captured.out == ""

"""The checks ``caller run`` performs, each one logical call through the resilient client."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx2
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from caller.settings import CallerSettings
from resilient_http import (
    CallFailed,
    DeadlineExceeded,
    ResilientClient,
    RetryPolicy,
    attempts_of,
)

#: Extra seconds a timed-out call may take past its deadline before the slow check fails.
SLOW_CHECK_MARGIN_S = 1.0

#: Header that carries each check's request id, so its call can be followed through the api's
#: and the upstream's logs.
REQUEST_ID_HEADER = "X-Request-ID"

logger = logging.getLogger("caller")


class Todo(BaseModel):
    """A JSONPlaceholder todo item."""

    model_config = ConfigDict(strict=True)

    user_id: int = Field(alias="userId")
    id: int
    title: str
    completed: bool


@dataclass(slots=True)
class CheckResult:
    """The outcome of one check: status, attempts, duration and a readable detail."""

    name: str
    passed: bool
    detail: str
    status: int | None = None
    attempts: int = 0
    elapsed_ms: float = 0.0
    failure_kinds: list[str] = field(default_factory=list)
    request_id: str = ""


@dataclass(slots=True)
class Clients:
    """One pooled client per upstream, shared by every check of a run."""

    api: ResilientClient
    external: ResilientClient
    slow: ResilientClient

    @classmethod
    def from_settings(cls, settings: CallerSettings) -> Clients:
        policy = RetryPolicy(deadline_s=settings.caller_deadline_s)
        slow_policy = RetryPolicy(deadline_s=settings.caller_slow_timeout_s)
        return cls(
            api=ResilientClient(str(settings.api_base_url), policy=policy),
            external=ResilientClient(str(settings.external_api_url), policy=policy),
            slow=ResilientClient(str(settings.slow_api_url), policy=slow_policy),
        )

    def close(self) -> None:
        for client in (self.api, self.external, self.slow):
            client.close()


Verdict = Callable[[httpx2.Response], str | None]
#: Sends a check's call with the headers it is given and returns the final response.
Send = Callable[[dict[str, str]], httpx2.Response]


def _expect_json(expected: object) -> Verdict:
    def verdict(response: httpx2.Response) -> str | None:
        if response.status_code != httpx2.codes.OK:
            return f"expected status 200, got {response.status_code}"
        try:
            body = response.json()
        except ValueError:
            return f"expected a JSON body, got {response.text[:80]!r}"
        if body != expected:
            return f"expected body {expected!r}, got {body!r}"
        return None

    return verdict


def _expect_status(expected: int) -> Verdict:
    def verdict(response: httpx2.Response) -> str | None:
        if response.status_code != expected:
            return f"expected status {expected}, got {response.status_code}"
        return None

    return verdict


def _expect_todo(todo_id: int) -> Verdict:
    def verdict(response: httpx2.Response) -> str | None:
        if response.status_code != httpx2.codes.OK:
            return f"expected status 200, got {response.status_code}"
        try:
            todo = Todo.model_validate_json(response.content)
        except ValidationError as exc:
            return (
                f"the body is not a valid todo: {exc.error_count()} error(s), first: "
                + (exc.errors(include_url=False)[0]["msg"])
            )
        if todo.id != todo_id:
            return f"expected todo id {todo_id}, got {todo.id}"
        return None

    return verdict


def _new_request_id() -> str:
    return uuid.uuid4().hex


def _log_result(result: CheckResult) -> CheckResult:
    # A failed check is a warning, so a filter on WARNING and above shows every failure.
    logger.log(
        logging.INFO if result.passed else logging.WARNING,
        "Check %s %s",
        result.name,
        "passed" if result.passed else "failed",
        extra={
            "check": result.name,
            "outcome": "pass" if result.passed else "fail",
            "status": result.status,
            "attempts": result.attempts,
            "duration_ms": round(result.elapsed_ms, 1),
            "request_id": result.request_id,
        },
    )
    return result


def _run_call(name: str, send: Send, verdict: Verdict) -> CheckResult:
    request_id = _new_request_id()
    started = time.monotonic()
    try:
        response = send({REQUEST_ID_HEADER: request_id})
    except CallFailed as exc:
        result = _failed_call(name, exc, started)
        result.request_id = request_id
        return _log_result(result)

    attempts = attempts_of(response)
    problem = verdict(response)
    result = CheckResult(
        name=name,
        passed=problem is None,
        detail=problem or "as expected",
        status=response.status_code,
        attempts=len(attempts),
        elapsed_ms=(time.monotonic() - started) * 1000,
        request_id=request_id,
    )
    return _log_result(result)


def _failed_call(name: str, exc: CallFailed, started: float) -> CheckResult:
    return CheckResult(
        name=name,
        passed=False,
        detail=str(exc),
        status=exc.status_code,
        attempts=len(exc.attempts),
        elapsed_ms=(time.monotonic() - started) * 1000,
        failure_kinds=[attempt.outcome for attempt in exc.attempts],
    )


def check_slow_api(clients: Clients, timeout_s: float) -> CheckResult:
    """Pass when a call to a 10-second endpoint times out within its deadline plus a margin."""
    name = "slow_api_times_out"
    request_id = _new_request_id()
    started = time.monotonic()
    try:
        response = clients.slow.get("/delay/10", headers={REQUEST_ID_HEADER: request_id})
    except DeadlineExceeded as exc:
        result = _failed_call(name, exc, started)
        bound_ms = (timeout_s + SLOW_CHECK_MARGIN_S) * 1000
        result.passed = result.elapsed_ms <= bound_ms
        result.detail = (
            f"timed out as expected after {result.elapsed_ms:.0f} ms (deadline {timeout_s:g}s)"
            if result.passed
            else f"timed out, but only after {result.elapsed_ms:.0f} ms (bound {bound_ms:.0f} ms)"
        )
    except CallFailed as exc:
        result = _failed_call(name, exc, started)
        result.detail = f"expected a timeout, got another failure: {exc}"
    else:
        result = CheckResult(
            name=name,
            passed=False,
            detail=f"expected a timeout after {timeout_s:g}s, got status {response.status_code}",
            status=response.status_code,
            attempts=len(attempts_of(response)),
            elapsed_ms=(time.monotonic() - started) * 1000,
        )

    result.request_id = request_id
    return _log_result(result)


def run_checks(clients: Clients, settings: CallerSettings) -> list[CheckResult]:
    """Run every check once, in order, and return their results."""
    echo_body = {"message": "hello"}
    summary_body = {"title": "Bug report", "body": "Something broke", "priority": 1}
    summary = {"field_count": 3, "fields": ["title", "body", "priority"], "title_length": 10}
    return [
        _run_call(
            "api_health",
            lambda headers: clients.api.get("/health", headers=headers),
            _expect_json({"status": "ok"}),
        ),
        _run_call(
            "api_echo",
            lambda headers: clients.api.post("/echo", json=echo_body, headers=headers),
            _expect_json(echo_body),
        ),
        _run_call(
            "api_summarize_request",
            lambda headers: clients.api.post(
                "/summarize-request", json=summary_body, headers=headers
            ),
            _expect_json(summary),
        ),
        _run_call(
            "api_rejects_invalid_request",
            lambda headers: clients.api.post("/echo", json={"message": 42}, headers=headers),
            _expect_status(httpx2.codes.UNPROCESSABLE_ENTITY),
        ),
        _run_call(
            "api_todo",
            lambda headers: clients.api.get("/todos/1", headers=headers),
            _expect_todo(1),
        ),
        _run_call(
            "external_api_todo",
            lambda headers: clients.external.get("/todos/1", headers=headers),
            _expect_todo(1),
        ),
        check_slow_api(clients, settings.caller_slow_timeout_s),
    ]

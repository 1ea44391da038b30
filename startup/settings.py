"""Loading pydantic-settings classes with errors a person can act on."""

from __future__ import annotations

from typing import TypeVar

from pydantic import ValidationError
from pydantic_settings import BaseSettings

SettingsT = TypeVar("SettingsT", bound=BaseSettings)


class InvalidSettings(SystemExit):
    """Raised when environment variables do not validate; exits the process with its message."""


def load_settings(settings_class: type[SettingsT]) -> SettingsT:
    """Build ``settings_class`` from the environment.

    Raises ``InvalidSettings`` with one line per invalid variable, naming the variable, the value
    received and what was expected, for example
    ``WEB_CONCURRENCY='abc': expected a valid integer, unable to parse string as an integer``.
    """
    try:
        return settings_class()
    except ValidationError as exc:
        prefix = str(settings_class.model_config.get("env_prefix", ""))
        lines = [f"Invalid configuration for {settings_class.__name__}:"]
        for error in exc.errors(include_url=False):
            variable = (prefix + "_".join(str(part) for part in error["loc"])).upper()
            expected = error["msg"][0].lower() + error["msg"][1:]
            if expected.startswith("input should be "):
                expected = "expected " + expected.removeprefix("input should be ")
            if "input" in error and error["type"] != "missing":
                lines.append(f"  {variable}={error['input']!r}: {expected}")
            else:
                lines.append(f"  {variable} is not set: {expected}")
        raise InvalidSettings("\n".join(lines)) from None

"""The README's curl examples, run against the real server, print what the README shows."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Server

README = Path(__file__).resolve().parent.parent / "README.md"
#: A console block with one `$ curl ...` command followed by the output it prints.
CURL_EXAMPLE = re.compile(r"```console\n\$ (curl [^\n]+)\n(.*?)```", re.DOTALL)


def curl_examples() -> list[tuple[str, str]]:
    return [
        (command, output.strip()) for command, output in CURL_EXAMPLE.findall(README.read_text())
    ]


def test_readme_has_curl_examples() -> None:
    """The README shows the lesson's four requests: health, echo, summary and an invalid one."""
    commands = [command for command, _ in curl_examples()]
    assert len(commands) >= 4
    for path in ("/health", "/echo", "/summarize-request"):
        assert any(path in command for command in commands), path


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize(("command", "expected"), curl_examples())
def test_readme_curl_example_output(api_server: Server, command: str, expected: str) -> None:
    """Each example, aimed at the test server, prints exactly the output the README shows."""
    argv = [part.replace("http://localhost:8000", api_server.url) for part in shlex.split(command)]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=30)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def _documented_default(value: object) -> str | None:
    """Return a default as the README's table writes it, or None for one it describes in words."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | str | Path):
        return str(value)
    return None


def test_readme_documents_every_setting() -> None:
    """Every environment variable a service reads has a row in the README's configuration table,
    and the row shows the default the code uses."""
    from api.settings import ServerSettings, Settings
    from caller.settings import CallerSettings
    from upstream.settings import UpstreamSettings

    readme = README.read_text()
    for settings_class in (Settings, ServerSettings, CallerSettings, UpstreamSettings):
        for name, field in settings_class.model_fields.items():
            variable = name.upper()
            assert f"| `{variable}`" in readme, f"{variable} ({settings_class.__name__})"
            default = _documented_default(field.default)
            if default is not None:
                row = f"| `{variable}` | `{default}` |"
                assert row in readme, f"{variable} default: expected a row starting {row!r}"

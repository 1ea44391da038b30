"""Request ids the api generates: version 4 UUIDs as 32 hex digits, never repeated."""

from __future__ import annotations

import subprocess
import sys
import uuid

from api.request_id import choose_request_id, new_request_id

#: More ids than one batch of random bytes holds, so the test crosses a refill.
ID_COUNT = 2_000


def test_new_request_id_is_uuid4_hex() -> None:
    """Every generated id parses as a version 4, RFC 4122 UUID and prints back unchanged."""
    for _ in range(ID_COUNT):
        request_id = new_request_id()
        parsed = uuid.UUID(hex=request_id)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert parsed.hex == request_id


def test_new_request_id_unique() -> None:
    """Ids do not repeat, across batch refills included."""
    ids = [new_request_id() for _ in range(ID_COUNT)]
    assert len(set(ids)) == ID_COUNT


#: Draws an id, forks, and prints the child's next id and the parent's next id. It runs in a fresh
#: interpreter, because forking the test process, which may have threads, is not safe.
FORK_SCRIPT = """
import os
from api.request_id import new_request_id
new_request_id()
read_end, write_end = os.pipe()
pid = os.fork()
if pid == 0:
    os.write(write_end, new_request_id().encode())
    os._exit(0)
os.close(write_end)
os.waitpid(pid, 0)
print(os.read(read_end, 64).decode(), new_request_id())
"""


def test_new_request_id_differs_in_forked_child() -> None:
    """A forked worker does not hand out the ids left in its parent's batch."""
    completed = subprocess.run(
        [sys.executable, "-c", FORK_SCRIPT], capture_output=True, text=True, check=True
    )
    child_id, parent_id = completed.stdout.split()
    assert child_id != parent_id


def test_choose_request_id_keeps_sane_header() -> None:
    """A sane X-Request-ID is kept, and a missing one gets a new id."""
    assert choose_request_id(b"abc-123") == "abc-123"
    assert len(choose_request_id(None)) == 32

"""Log-record fields that come from the request being served."""

from __future__ import annotations

import logging

from api.request_id import current_request_id


class RequestIdFilter(logging.Filter):
    """Add ``request_id`` to every record logged while a request is served.

    A record that already has the field keeps it, and records outside a request get none.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request_id = current_request_id()
            if request_id is not None:
                record.request_id = request_id
        return True

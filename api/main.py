"""The application object that gunicorn imports (``api.main:app``)."""

import logging

from api.app import create_app

# The JSON log lines carry no thread, process or caller fields, so the workers skip collecting
# them for every record. The process id alone costs a system call per record.
logging.logThreads = False
logging.logProcesses = False
logging.logMultiprocessing = False

app = create_app()

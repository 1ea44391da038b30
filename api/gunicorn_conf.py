"""Gunicorn configuration, built from the environment through ``ServerSettings``.

Gunicorn reads this file with ``-c python:api.gunicorn_conf``; every module-level name below is a
gunicorn setting.
"""

from api.settings import ServerSettings
from startup.settings import load_settings

_server = load_settings(ServerSettings)

bind = f"{_server.host}:{_server.port}"
workers = _server.web_concurrency
worker_class = "uvicorn_worker.UvicornWorker"
timeout = _server.worker_timeout_s
graceful_timeout = _server.graceful_timeout_s
keepalive = _server.keepalive_s
loglevel = _server.log_level
accesslog = "-"
errorlog = "-"

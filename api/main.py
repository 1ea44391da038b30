"""The application object that gunicorn imports (``api.main:app``)."""

from api.app import create_app

app = create_app()

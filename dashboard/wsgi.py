"""WSGI entry for gunicorn: `gunicorn 'dashboard.wsgi:server'` serves the configured city's bundle."""

from .app import create_app

server = create_app().server

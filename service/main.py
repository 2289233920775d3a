"""The ASGI entry point for multi-worker servers: ``uvicorn service.main:app`` (settings from PEERMATCH_*)."""

from service.app import create_app
from service.settings import ServiceSettings

app = create_app(ServiceSettings())

"""The ASGI entry point for multi-worker servers: ``uvicorn service.main:app`` (settings from PEERMATCH_*)."""

from service.app import create_app
from service.settings import ServiceSettings
from service.state import freeze_loaded_heap

app = create_app(ServiceSettings())
freeze_loaded_heap()

"""The secretariat's web console, served by the same FastAPI app as /v1 (see ``install``)."""

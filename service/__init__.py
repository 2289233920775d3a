"""peermatch over HTTP (FastAPI)."""

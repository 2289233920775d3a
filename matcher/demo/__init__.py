"""The demo network shipped with peermatch: members.jsonl and resources.jsonl under ``data/``."""

from pathlib import Path

DEMO_DATA = Path(__file__).parent / "data"
DEMO_FILES = (DEMO_DATA / "members.jsonl", DEMO_DATA / "resources.jsonl")
DEMO_NETWORKS = DEMO_DATA / "networks.json"  # generated clusters, calendar and people (tools/demo_networks.py)

"""The demo network shipped with peermatch: members.jsonl and resources.jsonl under ``data/``."""

from pathlib import Path

DEMO_DATA = Path(__file__).parent / "data"
DEMO_FILES = (DEMO_DATA / "members.jsonl", DEMO_DATA / "resources.jsonl")
# The demo members' existing twinnings, as rows of the twin-cities list (tools/demo_ties.py).
DEMO_TIES = DEMO_DATA / "ties.csv"
# A generated history of proposals among the demo members (tools/demo_proposals.py), for the progress page.
DEMO_PROPOSALS = DEMO_DATA / "proposals.jsonl"
# A generated candidate city (not yet a member), paired in the demo's twinning (tools/demo_candidates.py).
DEMO_CANDIDATES = DEMO_DATA / "candidates.jsonl"

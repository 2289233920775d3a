"""The demo network shipped with peermatch: members.jsonl and resources.jsonl under ``data/``, and
the Coalition's requests and offers (issue 23): ``coalition-*.jsonl``, loaded by ``peermatch demo``."""

from pathlib import Path

DEMO_DATA = Path(__file__).parent / "data"
DEMO_FILES = (DEMO_DATA / "members.jsonl", DEMO_DATA / "resources.jsonl")
COALITION_MEMBERS = DEMO_DATA / "coalition-members.jsonl"
COALITION_OFFERS = DEMO_DATA / "coalition-offers.jsonl"
COALITION_REQUESTS = DEMO_DATA / "coalition-requests.jsonl"
DEMO_NETWORKS = DEMO_DATA / "networks.json"  # generated clusters, calendar and people (tools/demo_networks.py)
# The demo members' existing twinnings, as rows of the twin-cities list (tools/demo_ties.py).
DEMO_TIES = DEMO_DATA / "ties.csv"
# A generated history of proposals among the demo members (tools/demo_proposals.py), for the progress page.
DEMO_PROPOSALS = DEMO_DATA / "proposals.jsonl"
# A generated candidate city (not yet a member), paired in the demo's twinning (tools/demo_candidates.py).
DEMO_CANDIDATES = DEMO_DATA / "candidates.jsonl"

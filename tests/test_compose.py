"""compose.yaml (PostgreSQL and two replicas behind one address) cannot run on these machines (no
registry of base images); its shape is checked here: valid YAML, the replicas on one database with
a data volume each, the proxy in front of both, and only settings that exist."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from service.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[1]


def test_compose_runs_postgres_and_two_replicas_behind_one_address() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "replica-a", "replica-b", "proxy", "load"} <= set(services)
    a, b = services["replica-a"], services["replica-b"]
    assert a["environment"]["PEERMATCH_DATABASE_URL"] == b["environment"]["PEERMATCH_DATABASE_URL"]
    assert (
        a["environment"]["PEERMATCH_DATABASE_URL"].startswith("postgresql://")
        and "@postgres:5432/" in a["environment"]["PEERMATCH_DATABASE_URL"]
    )
    data = {
        service: next(v.split(":")[0] for v in services[service]["volumes"] if v.endswith(":/data"))
        for service in ("replica-a", "replica-b")
    }
    assert data["replica-a"] != data["replica-b"]  # each replica's indexes on its own volume
    assert set(data.values()) <= set(compose["volumes"])
    for replica in (a, b):
        assert replica["build"] == "." and replica["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert replica["command"][:2] == ["peermatch", "serve"] and "0.0.0.0" in replica["command"]
        for variable in replica["environment"]:
            assert variable.removeprefix("PEERMATCH_").lower() in ServiceSettings.model_fields, variable
    assert services["load"]["profiles"] == ["load"] and services["load"]["command"][:2] == ["peermatch", "demo"]
    assert services["proxy"]["ports"] == ["8000:8000"]
    config = services["proxy"]["volumes"][0].split(":")[0]
    upstreams = re.findall(r"server (\S+):8000", (ROOT / config).read_text())
    assert upstreams == ["replica-a", "replica-b"]
    assert "postgres" in services and services["postgres"]["healthcheck"]["test"][0] == "CMD-SHELL"

"""The deployment files agree with Kompas: image, compose, systemd unit and reverse proxy."""

from __future__ import annotations

import re
from typing import Any

import yaml

from bot.app import MAX_BODY_BYTES
from ground.settings import ServerSettings
from tests.paths import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"


def _lines(name: str) -> list[str]:
    return (PROJECT_ROOT / name).read_text(encoding="utf-8").splitlines()


def test_the_image_installs_with_the_script_as_a_user_and_checks_health() -> None:
    dockerfile = "\n".join(line for line in _lines("Dockerfile") if not line.startswith("#"))
    stages = re.findall(r"^FROM (\S+)", dockerfile, re.MULTILINE)
    assert stages and all(stage.startswith("python:") and "-slim" in stage for stage in stages)
    assert "RUN deploy/install.sh /opt/kompas /src" in dockerfile
    assert "[dev]" not in dockerfile and "pip install" not in dockerfile  # the script does it
    [user] = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert user not in {"root", "0"}
    [healthcheck] = [line for line in _lines("Dockerfile") if "urlopen" in line]
    assert "http://127.0.0.1:3978/healthz" in healthcheck
    assert 'CMD ["kompas", "serve", "--host", "0.0.0.0", "--port", "3978"]' in dockerfile
    ignored = _lines(".dockerignore")
    assert {".git", ".venv", ".env", "data"} <= set(ignored)


def test_compose_runs_postgresql_a_migration_and_two_instances() -> None:
    compose: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text())
    services = compose["services"]
    instances = {name: s for name, s in services.items() if name.startswith("kompas-")}
    assert len(instances) == 2
    for service in instances.values():
        assert service["environment"]["DATABASE_URL"].startswith("postgresql://")
        assert service["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
        assert "command" not in service  # the image's: kompas serve
    assert services["migrate"]["command"] == ["kompas", "migrate"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    ports = [port for s in instances.values() for port in s["ports"]]
    assert all(port.startswith("127.0.0.1:") for port in ports)  # only the proxy is public


def test_the_systemd_unit_migrates_before_serving_as_its_own_user() -> None:
    unit = _lines("deploy/kompas.service")
    settings = dict(line.split("=", 1) for line in unit if "=" in line and not line.startswith("#"))
    assert settings["User"] == "kompas"
    assert settings["ExecStartPre"] == "/opt/kompas/bin/kompas migrate"
    assert settings["ExecStart"].startswith("/opt/kompas/bin/kompas serve --host 127.0.0.1")
    assert settings["EnvironmentFile"] == "/etc/kompas/kompas.env"
    assert int(settings["TimeoutStopSec"]) > 30  # longer than Kompas's own shutdown


def _nginx_seconds(config: str, directive: str) -> float:
    [value] = re.findall(rf"^\s*{directive} (\d+)s;", config, re.MULTILINE)
    return float(value)


def test_the_reverse_proxy_is_no_looser_than_kompas() -> None:
    config = (DEPLOY / "nginx-kompas.conf").read_text(encoding="utf-8")
    [size] = re.findall(r"client_max_body_size (\d+)k;", config)
    assert int(size) * 1024 == MAX_BODY_BYTES
    limits = ServerSettings()
    assert _nginx_seconds(config, "client_header_timeout") <= limits.header_timeout
    assert _nginx_seconds(config, "client_body_timeout") <= limits.body_timeout
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in config
    assert "listen 443 ssl;" in config


def test_the_example_settings_name_real_settings() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    names = [
        line.lstrip("# ").split("=", 1)[0]
        for line in _lines("deploy/kompas.env.example")
        if re.match(r"^#? ?[A-Z_]+=", line)
    ]
    assert names and all(f"`{name}`" in readme for name in names), [
        name for name in names if f"`{name}`" not in readme
    ]

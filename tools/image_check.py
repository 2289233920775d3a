"""Build the Dockerfile's image with a real OCI engine (buildah), run it, and check it from outside.

1. **Base.** Without `--base-image`, a Debian bookworm root file system made by debootstrap (minbase,
   with Python 3.11 and its venv module, CA certificates, tzdata: what python:3.11-slim-bookworm
   has), imported by podman as `localhost/peermatch-base:bookworm`. It is made once and kept in the
   engine's storage. Where a registry is reachable, `--base-image python:3.11-slim-bookworm` builds on
   Docker Hub's image instead, as `docker build` does by default.
2. **Build.** `buildah bud --isolation chroot --format docker` with the `BASE_IMAGE` build argument.
   PyTorch's CPU index is not reachable here: when this machine has the CPU torch wheel (in
   `PIP_FIND_LINKS`, or /opt/wheels), a package index of it is mounted at /local-index during the RUN
   steps and given as `TORCH_INDEX_URL`, which pip uses as it would use PyTorch's.
3. **Run.** In a network namespace with loopback only (`unshare --net`), so anything the service tried
   to download at start would fail: `buildah run --isolation chroot` starts the image's CMD as the
   image's user; the image's HEALTHCHECK command is run until it passes; then, from outside the
   container, the README's answers: peers with a read key (and 401, 403, 422), a French query that
   finds other languages, the console's sign-in page, a pairing job followed across the two worker
   processes, and /metrics summing both.

Prints how long each phase took. Run as root: `make image-check` (needs Debian's buildah, podman and
debootstrap, and util-linux's unshare). `podman run` is not used: this sandbox refuses its setrlimit.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = Path("/var/cache/peermatch-image")
DEBIAN_BASE = "localhost/peermatch-base:bookworm"
# What python:3.11-slim-bookworm has. python3-distutils is listed because debootstrap cannot
# resolve the virtual python3.11-distutils.
BASE_PACKAGES = ["python3.11", "python3.11-venv", "python3-distutils", "python3-lib2to3", "ca-certificates", "netbase", "tzdata"]
DEBIAN_MIRROR = "http://deb.debian.org/debian"


class ImageCheckError(Exception):
    """The image could not be built or run, or one of its checks failed."""


@dataclass
class Instruction:
    line: int
    keyword: str
    arguments: str


def parse_dockerfile(path: Path) -> list[Instruction]:
    """Instructions with the line they start on; continuation lines joined, comments dropped."""
    instructions: list[Instruction] = []
    pending, start = "", 0
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        if not pending:
            start = number
        if text.endswith("\\"):
            pending += text[:-1] + " "
            continue
        keyword, _, rest = (pending + text).partition(" ")
        instructions.append(Instruction(start, keyword.upper(), rest.strip()))
        pending = ""
    if pending:
        raise ImageCheckError(f"{path}:{start}: the file ends inside a continued line")
    return instructions


def dockerignore_patterns(context: Path) -> list[str]:
    path = context / ".dockerignore"
    if not path.is_file():
        return []
    patterns = [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
    if any(p.startswith("!") for p in patterns):
        raise ImageCheckError(f"{path}: exceptions ('!pattern') are not read by this check")
    return [p.lstrip("/") for p in patterns]


def ignored(relative: str, patterns: list[str]) -> bool:
    """Docker's rule, simplified: a pattern excludes a path or anything under it; '**/' = any depth."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        if pattern.startswith("**/"):
            tail = pattern[3:]
            if any(fnmatch.fnmatchcase(part, tail) for part in parts):
                return True
        elif any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes):
            return True
    return False


def run(command: list[str], *, log: Path | None = None, stdin: bytes | None = None) -> str:
    """Run a host command; on failure, raise with the command and the end of its output."""
    output = subprocess.run(command, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    text = output.stdout.decode(errors="replace")
    if log is not None:
        with log.open("a") as handle:
            handle.write(f"$ {shlex.join(command)}\n{text}\n")
    if output.returncode != 0:
        tail = "\n".join(text.splitlines()[-25:])
        raise ImageCheckError(f"{shlex.join(command[:8])} ... exited {output.returncode}:\n{tail}")
    return text


class Engine:
    """buildah and podman on one storage (vfs by default: it works in any sandbox)."""

    def __init__(self, storage_driver: str, log: Path) -> None:
        self.storage = ["--storage-driver", storage_driver]
        self.log = log

    def buildah(self, *arguments: str) -> str:
        return run(["buildah", *self.storage, *arguments], log=self.log).strip()

    def podman(self, *arguments: str, stdin: bytes | None = None) -> str:
        return run(["podman", *self.storage, *arguments], log=self.log, stdin=stdin).strip()

    def has_image(self, name: str) -> bool:
        found = subprocess.run(["podman", *self.storage, "image", "exists", name], capture_output=True)
        return found.returncode == 0

    def config(self, image: str) -> dict[str, Any]:
        """The image's config as `podman image inspect` gives it: Cmd, User and ExposedPorts, with
        the Healthcheck (kept in the docker format only) beside them."""
        inspected = json.loads(self.podman("image", "inspect", image))[0]
        config: dict[str, Any] = {**inspected["Config"], "Healthcheck": inspected.get("Healthcheck")}
        return config


def debian_base(engine: Engine, cache: Path) -> str:
    """Debian bookworm from Debian's own packages, imported once as an image."""
    if engine.has_image(DEBIAN_BASE):
        return DEBIAN_BASE
    root = cache / "rootfs"
    if not (root / "usr/bin/python3.11").exists():
        shutil.rmtree(root, ignore_errors=True)
        run(["debootstrap", "--variant=minbase", f"--include={','.join(BASE_PACKAGES)}", "bookworm", str(root), DEBIAN_MIRROR], log=engine.log)
    tarball = subprocess.run(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE, check=True).stdout
    engine.podman("import", "--change", "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "-", DEBIAN_BASE, stdin=tarball)
    return DEBIAN_BASE


def torch_index(cache: Path) -> Path | None:
    """A package index (PEP 503) of this machine's CPU torch wheel, or None where there is none."""
    folders = [Path(p) for p in os.environ.get("PIP_FIND_LINKS", "").split()] + [Path("/opt/wheels")]
    wheels = sorted(w for folder in folders if folder.is_dir() for w in folder.glob("torch-*+cpu-*.whl"))
    if not wheels:
        return None
    project = cache / "index/simple/torch"
    project.mkdir(parents=True, exist_ok=True)
    links = []
    for wheel in wheels:
        if not (project / wheel.name).exists():
            shutil.copy2(wheel, project / wheel.name)
        links.append(f'<a href="{wheel.name}">{wheel.name}</a>')
    (project / "index.html").write_text("<html><body>" + "".join(links) + "</body></html>")
    (project.parent / "index.html").write_text('<html><body><a href="torch/">torch</a></body></html>')
    return cache / "index"


def host_ca_bundle() -> Path | None:
    for candidate in (os.environ.get("PIP_CERT"), os.environ.get("SSL_CERT_FILE"), "/etc/ssl/certs/ca-certificates.crt"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def build(engine: Engine, options: argparse.Namespace) -> None:
    base = options.base_image or debian_base(engine, options.cache)
    arguments = ["bud", "--isolation", "chroot", "--format", "docker", "--build-arg", f"BASE_IMAGE={base}"]
    index = torch_index(options.cache)
    if index is not None:
        arguments += ["--volume", f"{index}:/local-index:ro", "--build-arg", "TORCH_INDEX_URL=file:///local-index/simple"]
    bundle = host_ca_bundle()
    if bundle is not None:  # this network's TLS proxy signs with its own CA, which the host trusts
        arguments += ["--volume", f"{bundle}:/run/host-ca.crt:ro", "--build-arg", "CA_BUNDLE=/run/host-ca.crt"]
    for build_arg in options.build_arg:
        arguments += ["--build-arg", build_arg]
    engine.buildah(*arguments, "-f", str(options.dockerfile), "-t", options.tag, str(options.context))


def healthcheck_command(config: dict[str, Any]) -> list[str]:
    test = (config.get("Healthcheck") or {}).get("Test")
    if not test or test[0] not in {"CMD", "CMD-SHELL"}:
        raise ImageCheckError(f"the image has no HEALTHCHECK command (config: {config.get('Healthcheck')!r})")
    return ["/bin/sh", "-c", test[1]] if test[0] == "CMD-SHELL" else list(test[1:])


def run_phase(engine: Engine, options: argparse.Namespace) -> None:
    """Inside `unshare --net`: loopback only. Start CMD as the image's user, pass the HEALTHCHECK,
    check the answers from outside the container, stop the service."""
    run(["ip", "link", "set", "lo", "up"])
    links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout
    interfaces = [line.split(":")[1].strip() for line in links.splitlines()]
    print(f"[run] network interfaces in the namespace: {interfaces}", flush=True)
    if interfaces != ["lo"]:
        raise ImageCheckError(f"the run namespace should have loopback only, not {interfaces}")
    config = engine.config(options.tag)
    command = [str(part) for part in config["Cmd"]]
    user = str(config.get("User") or "root")
    port = int(next(iter(config["ExposedPorts"])).split("/")[0])
    container = engine.buildah("from", options.tag).splitlines()[-1]
    started = time.monotonic()
    log_path = options.cache / "service.log"
    try:
        with log_path.open("w") as log:
            server = subprocess.Popen(["buildah", *engine.storage, "run", "--isolation", "chroot", "--user", user, container, "--", *command], stdout=log, stderr=subprocess.STDOUT)
        health = ["buildah", *engine.storage, "run", "--isolation", "chroot", "--user", user, container, "--", *healthcheck_command(config)]
        while subprocess.run(health, capture_output=True).returncode != 0:
            if server.poll() is not None:
                raise ImageCheckError(f"the service exited with {server.returncode}; see {log_path}:\n{log_path.read_text()[-3000:]}")
            if time.monotonic() - started > options.timeout:
                raise ImageCheckError(f"HEALTHCHECK still failing after {options.timeout:.0f} s; see {log_path}")
            time.sleep(1)
        print(f"[run] HEALTHCHECK passed {time.monotonic() - started:.1f} s after start", flush=True)
        processes = _descendants(server.pid)
        service = _service_processes(processes)
        users = sorted({uid for uid in map(_uid_of, service) if uid is not None})
        print(f"[run] {len(service)} service processes, uid {users}", flush=True)
        if not service:
            raise ImageCheckError(f"no service process found under buildah run (pid {server.pid})")
        if 0 in users:
            raise ImageCheckError("a service process runs as root")
        keys_text = engine.buildah("run", "--isolation", "chroot", container, "--", "cat", "/data/demo-keys.txt")
        keys = dict(line.split("=", 1) for line in keys_text.split())
        for line in must_show(f"http://127.0.0.1:{port}", keys):
            print(f"[run] {line}", flush=True)
    finally:
        for pid in _service_processes(_descendants(server.pid))[:1]:  # the main process stops its workers
            os.kill(pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
        engine.buildah("rm", container)


def _service_processes(processes: list[int]) -> list[int]:
    """The processes running the service (python), in start order, not buildah's own."""
    return [pid for pid in processes if "peermatch" in _command_line(pid) and "buildah" not in _command_line(pid)]


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except FileNotFoundError:
        return ""


def _descendants(pid: int) -> list[int]:
    """Every process below pid, in start order. All threads' children: buildah (Go) starts its
    children from any thread, not only the main one."""
    found: set[int] = set()
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found.update(int(c) for c in children.read_text().split())
        except FileNotFoundError:
            continue
    ordered = sorted(found)
    return ordered + [d for c in ordered for d in _descendants(c)]


def _uid_of(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Uid:"):
                return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


def request(url: str, *, key: str | None = None, body: object | None = None) -> tuple[int, object]:
    headers = {"content-type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(body).encode() if body is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def must_show(base: str, keys: dict[str, str]) -> list[str]:
    """The README's checks, through the running image; returns one line per check, raises on a miss."""
    lines: list[str] = []

    def expect(label: str, status: int, wanted: int, detail: str = "") -> None:
        if status != wanted:
            raise ImageCheckError(f"{label}: HTTP {status}, expected {wanted} {detail}")
        lines.append(f"{label}: {status} {detail}".rstrip())

    status, page = request(f"{base}/v1/members/city-cove-bj/peers?k=5", key=keys["read"])
    peers = page.get("items") if isinstance(page, dict) else None
    expect("read key, peers of city-cove-bj", status, 200, f"({len(peers) if isinstance(peers, list) else 0} peers)")
    if not isinstance(peers, list) or len(peers) != 5:
        raise ImageCheckError(f"expected a page of 5 peers, got {page!r:.300}")
    status, _ = request(f"{base}/v1/members/city-cove-bj/peers")
    expect("no key", status, 401)
    status, _ = request(f"{base}/v1/members/bulk", key=keys["read"], body=[])
    expect("read key, bulk import", status, 403)
    status, error = request(f"{base}/v1/recommendations/experts", key=keys["read"], body={"options": {"k": 3}})
    named = error.get("field") if isinstance(error, dict) else None
    expect("malformed experts request", status, 422, f"(field {named!r})")
    status, found = request(f"{base}/v1/resources/search?q=former%20les%20enseignants%20au%20num%C3%A9rique&k=10", key=keys["read"])
    languages = sorted({hit["language"] for hit in found["results"]}) if status == 200 and isinstance(found, dict) else []
    expect("French query, result languages", status, 200, f"{languages}")
    with urllib.request.urlopen(f"{base}/signin", timeout=30) as response:
        page = response.read().decode()
    if response.status != 200 or 'type="password"' not in page:
        raise ImageCheckError(f"console sign-in page: HTTP {response.status}, no password field")
    lines.append("console sign-in page: 200, with its form")
    lines += across_workers(base, keys)
    return lines


def across_workers(base: str, keys: dict[str, str]) -> list[str]:
    """The CMD runs two worker processes, and each request here opens a new connection, so these
    land on both: a pairing job followed from whichever worker answers, and /metrics summing all."""
    cohort = {"mentee_regions": ["Africa"], "mentee_kinds": ["city"], "mentor_other_regions": True, "constraints": {"max_load": 2}}
    status, job = request(f"{base}/v1/pairings", key=keys["read"], body=cohort)
    if status != 202 or not isinstance(job, dict):
        raise ImageCheckError(f"POST /v1/pairings: HTTP {status} {job!r:.300}")
    polls = 0
    while isinstance(job, dict) and job["status"] in {"queued", "running"} and polls < 300:
        time.sleep(0.2)
        polls += 1
        status, job = request(f"{base}/v1/pairings/{job['id']}", key=keys["read"])
    if not isinstance(job, dict) or job["status"] != "done":
        raise ImageCheckError(f"pairing job after {polls} polls: {job!r:.300}")
    status, result = request(f"{base}/v1/pairings/{job['id']}/result", key=keys["read"])
    pairs = len(result["pairs"]) if status == 200 and isinstance(result, dict) else 0
    if not pairs:
        raise ImageCheckError(f"pairing result: HTTP {status} {result!r:.300}")
    for _ in range(20):
        request(f"{base}/health")
    scrape = urllib.request.Request(f"{base}/metrics", headers={"Authorization": f"Bearer {keys['admin']}"})
    with urllib.request.urlopen(scrape) as response:
        text = response.read().decode()
    health = 'peermatch_requests_total{method="GET",route="/health"'
    counted = sum(float(row.split()[-1]) for row in text.splitlines() if row.startswith(health))
    if counted != 20:
        raise ImageCheckError(f"/metrics counts {counted} GET /health requests, 20 were made")
    return [f"pairing job followed over {polls} polls: done, {pairs} pairs", "/metrics over the workers: 20 of 20 GET /health counted"]


def check(options: argparse.Namespace) -> int:
    if os.geteuid() != 0:
        raise ImageCheckError("run as root: buildah's chroot isolation, debootstrap and unshare need it")
    for tool in ("buildah", "podman", "unshare", "ip") + (() if options.base_image else ("debootstrap",)):
        if shutil.which(tool) is None:
            raise ImageCheckError(f"{tool} is not installed (apt-get install buildah podman debootstrap util-linux iproute2)")
    options.cache.mkdir(parents=True, exist_ok=True)
    log = options.cache / "build.log"
    log.write_text("")
    engine = Engine(options.storage_driver, log)
    started = time.monotonic()
    if not options.no_build:
        build(engine, options)
    built = time.monotonic()
    size = engine.podman("image", "inspect", "--format", "{{.Size}}", options.tag)
    print(f"[build] {options.tag} built in {built - started:.0f} s, {int(size) / 1e6:.0f} MB; log {log}", flush=True)
    inner = [sys.executable, str(Path(__file__).resolve()), *sys.argv[1:], "--run-phase"]
    result = subprocess.run(["unshare", "--net", "--fork", *inner])
    finished = time.monotonic()
    if result.returncode == 0:
        print(f"[done] built by buildah and answering offline as a non-root user: build {built - started:.0f} s, run and checks {finished - built:.0f} s, in all {finished - started:.0f} s")
    return result.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0], epilog="The module docstring says each phase.")
    parser.add_argument("--dockerfile", type=Path, default=ROOT_DIR / "Dockerfile")
    parser.add_argument("--context", type=Path, default=ROOT_DIR, help="build context (default: the repository)")
    parser.add_argument("--base-image", default="", help=f"build on this image (default: {DEBIAN_BASE}, made from Debian's packages)")
    parser.add_argument("--tag", default="localhost/peermatch:check", help="the built image's name")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where the Debian root file system, the torch index and logs are kept")
    parser.add_argument("--storage-driver", default="vfs", help="buildah's and podman's storage driver (vfs works in any sandbox)")
    parser.add_argument("--build-arg", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--timeout", type=float, default=300, help="seconds the HEALTHCHECK may take to pass")
    parser.add_argument("--no-build", action="store_true", help="run and check the image already built under --tag")
    parser.add_argument("--run-phase", action="store_true", help=argparse.SUPPRESS)  # internal: inside the namespace
    options = parser.parse_args()
    try:
        if options.run_phase:
            run_phase(Engine(options.storage_driver, options.cache / "build.log"), options)
            return 0
        return check(options)
    except ImageCheckError as error:
        print(f"image check failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

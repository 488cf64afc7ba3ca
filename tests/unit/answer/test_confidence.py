"""The learned confidence: its inputs, its arithmetic, and the weights file's hash check."""

from __future__ import annotations

import json
import math

import pytest

from assistant.answer.compose import bare_fragment
from assistant.answer.confidence import MANIFEST, NAMES, ConfidenceModel, features, load, sha256, shipped, state
from assistant.answer.refusal import Decision, Features
from assistant.errors import SetupError
from assistant.policy import Policy


@pytest.mark.parametrize("answer", ["Israel [1]", "1 [1]", "Qin Gang [2].", "In 1066 [1]"])
def test_a_name_or_number_alone_is_a_bare_fragment(answer):
    assert bare_fragment(answer)


@pytest.mark.parametrize("answer", ["The talks resumed in Geneva on Monday [1].", "Berg signed the accord [1]."])
def test_a_sentence_is_not_a_bare_fragment(answer):
    assert not bare_fragment(answer)


def test_every_input_is_measured_for_a_refused_draft():
    x = features(Features(), Decision(status="not_found", method="not_found"), "Who signed it?", [], Policy())
    assert list(x) == list(NAMES)
    assert x["p_yes_missing"] == 1.0 and x["question_missing_cited"] == 1.0


def _model(n: int = len(NAMES)) -> ConfidenceModel:
    return ConfidenceModel(tuple(NAMES[:n]), (0.0,) * n, (2.0,) * n, (1.0,) + (0.0,) * (n - 1), -0.5)


def test_the_model_is_a_logistic_regression_on_standardized_inputs():
    x = dict.fromkeys(NAMES, 0.0) | {"p_yes_logit": 3.0}
    assert _model().predict(x) == pytest.approx(1 / (1 + math.exp(-(-0.5 + 3.0 / 2.0))))


def _write(tmp_path, model: ConfidenceModel):
    weights, manifest = tmp_path / "w.json", tmp_path / "m.json"
    weights.write_text(json.dumps(model.to_json()))
    manifest.write_text(json.dumps({"weights_sha256": sha256(weights)}))
    return weights, manifest


def test_a_weights_file_that_matches_its_manifest_loads(tmp_path):
    weights, manifest = _write(tmp_path, _model())
    assert load(weights, manifest) == _model()


def test_a_weights_file_that_does_not_match_its_manifest_is_refused(tmp_path):
    weights, manifest = _write(tmp_path, _model())
    weights.write_text(weights.read_text().replace("-0.5", "0.5"))
    with pytest.raises(SetupError, match="sha256"):
        load(weights, manifest)


def test_arrays_of_different_lengths_are_refused(tmp_path):
    bad = _model().to_json() | {"coef": [1.0]}
    weights, manifest = tmp_path / "w.json", tmp_path / "m.json"
    weights.write_text(json.dumps(bad))
    manifest.write_text(json.dumps({"weights_sha256": sha256(weights)}))
    with pytest.raises(SetupError, match="length"):
        load(weights, manifest)


def test_an_input_this_version_does_not_measure_is_refused(tmp_path):
    bad = _model(1).to_json() | {"names": ["p_yes_from_the_future"]}
    weights, manifest = tmp_path / "w.json", tmp_path / "m.json"
    weights.write_text(json.dumps(bad))
    manifest.write_text(json.dumps({"weights_sha256": sha256(weights)}))
    with pytest.raises(SetupError, match="does not measure"):
        load(weights, manifest)


def test_p_yes_enters_as_its_logit():
    f = Features(p_yes=0.9)
    x = features(f, Decision(status="answered", method="generated"), "Who signed it?", [], Policy())
    assert x["p_yes_logit"] == pytest.approx(math.log(9)) and x["p_yes_missing"] == 0.0


@pytest.mark.parametrize(("c", "want"), [(0.95, "answered"), (0.8, "answered"), (0.5, "uncertain"),
                                         (0.3, "uncertain"), (0.29, "not_found"), (0.0, "not_found")])  # fmt: skip
def test_two_thresholds_make_three_states(c, want):
    assert state(c, Policy(confidence_answered=0.8, confidence_not_found=0.3)) == want


def test_the_shipped_model_loads_and_the_policy_uses_its_calibrated_thresholds():
    figures = json.loads(MANIFEST.read_text(encoding="utf-8"))["figures"]["thresholds"]
    assert shipped().names == NAMES
    assert (Policy().confidence_answered, Policy().confidence_not_found) == (figures["answered"], figures["not_found"])

"""`python -m ghostpen.evals.fit_adapt` on the tiny model: the data it collects, its objective
(the engine's own mixture), its gradient, and a fit that beats the weights it starts from."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from ghostpen.evals import fit_adapt
from ghostpen.evals.bpc import adapted_logprobs, model_logprobs, tail_start
from ghostpen.suggest.adapt import DEFAULT_WEIGHTS

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture(scope="module")
def collected(tiny_model):
    """(text, start, end, model log-probabilities, collect()'s arrays) on a text that repeats
    itself, so the document cache has something to say."""
    from ghostpen.model.checkpoint import read_checkpoint
    from ghostpen.model.fast import FastModel

    tiny = (FIXTURES / "tiny.txt").read_text(encoding="utf-8")
    text = tiny + "\n" + tiny[:700]
    start, end = tail_start(len(text), 0.5), len(text)
    vocab = read_checkpoint(tiny_model).vocab
    lp = model_logprobs(FastModel.from_checkpoint(tiny_model), vocab, text, start, end, 8, 200)
    return text, start, end, lp, vocab, fit_adapt.collect(text, start, end, lp, {})


def test_collect_shapes_and_ranges(collected):
    _, start, end, _, _, (p_model, mass, escape, feats, seen) = collected
    n = end - start
    assert p_model.shape == mass.shape == escape.shape == seen.shape == (n,)
    assert feats.shape == (n, 5) and seen.dtype == bool
    assert np.all((p_model > 0) & (p_model <= 1))
    assert np.all((mass >= 0) & (mass <= 1)) and np.all((escape >= 0) & (escape <= 1))
    assert seen.mean() > 0.5  # the repeated text: the cache has seen most contexts
    assert np.all(feats[~seen] == 0) and np.all(feats[seen, 0] == 1.0)  # bias feature
    assert np.all(mass[~seen] == 0) and np.all(escape[~seen] == 1)


def test_objective_is_the_engines_mixture(collected):
    text, start, end, lp, vocab, data = collected
    loss, _ = fit_adapt.loss_and_grad(np.array(DEFAULT_WEIGHTS), *data)
    assert loss == pytest.approx(-adapted_logprobs(text, start, end, lp, vocab).mean(), rel=1e-9)
    off, _ = fit_adapt.loss_and_grad(np.array([-100.0, 0, 0, 0, 0]), *data)
    assert off == pytest.approx(-lp.mean(), rel=1e-9)  # lam = 0: the model alone


def test_gradient_matches_finite_differences(collected):
    data = collected[-1]
    w = np.array(fit_adapt.W0)
    _, grad = fit_adapt.loss_and_grad(w, *data)
    assert grad.shape == (5,)
    for i in range(5):
        h = np.zeros(5)
        h[i] = 1e-6
        plus, _ = fit_adapt.loss_and_grad(w + h, *data)
        minus, _ = fit_adapt.loss_and_grad(w - h, *data)
        assert grad[i] == pytest.approx((plus - minus) / 2e-6, rel=1e-4, abs=1e-8)


def test_fit_improves_on_its_start(collected):
    data = collected[-1]
    w = fit_adapt.fit(data, steps=300)
    assert w.shape == (5,) and np.all(np.isfinite(w))
    start_loss, _ = fit_adapt.loss_and_grad(np.array(fit_adapt.W0), *data)
    fitted_loss, grad = fit_adapt.loss_and_grad(w, *data)
    assert fitted_loss < start_loss - 0.01  # nats per character
    assert np.linalg.norm(grad) < np.linalg.norm(fit_adapt.loss_and_grad(fit_adapt.W0, *data)[1])


def test_command_prints_the_fit(tiny_model, capsys):
    text = str(FIXTURES / "tiny.txt")
    args = ["--text", text, "--model", str(tiny_model), "--tail-fraction", "0.5"]
    assert fit_adapt.main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"weights", "train_bpc", "test_bpc", "chars"}
    assert len(report["weights"]) == 5 and all(math.isfinite(x) for x in report["weights"])
    n = len((FIXTURES / "tiny.txt").read_text(encoding="utf-8"))
    assert report["chars"] == n - max(1, tail_start(n, 0.5))
    for model_alone, fitted in (report["train_bpc"], report["test_bpc"]):
        assert 0.0 < model_alone < 8.0 and 0.0 < fitted < 8.0


def test_command_errors(tiny_model, tmp_path, capsys):
    missing = tmp_path / "missing.txt"
    assert fit_adapt.main(["--text", str(missing), "--model", str(tiny_model)]) == 2
    assert capsys.readouterr().err.strip() == f"error: cannot read {missing}: it does not exist"
    text = str(FIXTURES / "tiny.txt")
    assert fit_adapt.main(["--text", text, "--model", str(tmp_path / "nothing")]) == 2
    assert "error" in capsys.readouterr().err

"""The checkpoint's word model as the decoder's prior, with the document's own counts."""

import shutil

from ghostpen.model.checkpoint import attach_word_model
from ghostpen.model.wordlm import WordLM
from ghostpen.suggest.engine import SuggestionEngine
from ghostpen.suggest.prior import WordPrior, context_words
from ghostpen.suggest.types import EngineSettings
from ghostpen.suggest.wordprior import DocumentPrior


def _with_words(tmp_path, tiny_model, fixtures_dir):
    path = tmp_path / "m"
    shutil.copytree(tiny_model, path)
    attach_word_model(path, WordLM.train([(fixtures_dir / "tiny.txt").read_text()]))
    return path


def test_the_engine_uses_the_checkpoints_word_model(tmp_path, tiny_model, fixtures_dir):
    assert SuggestionEngine.from_checkpoint(tiny_model).word_prior is None  # none shipped
    engine = SuggestionEngine.from_checkpoint(_with_words(tmp_path, tiny_model, fixtures_dir))
    assert isinstance(engine.word_prior, WordLM) and isinstance(engine.word_prior, WordPrior)
    doc = "Zarquon said so. " * 5 + "Then Zar"
    engine.suggest(doc)
    assert engine._doc.prior is not None and engine._doc.prior.doc.tokens > 0
    engine.update_settings(EngineSettings(adapt=False))
    engine.suggest(doc)
    assert engine._doc.prior.doc is None  # without adaptation: the static model alone


def test_document_counts_raise_a_document_word(fixtures_dir):
    lm = WordLM.train([(fixtures_dir / "tiny.txt").read_text()])
    static = DocumentPrior(lm, adapt=False)
    prior = DocumentPrior(lm)
    # the document's weight grows with its length (worddoc.py: lam * N / (N + beta))
    before = "The Mouse met Zarquon. Then Zarquon spoke. " * 40 + "And the Mouse said to "
    prior.sync(before)
    ctx = context_words(before)
    assert ctx == ["said", "to"] or ctx[-2:] == ["said", "to"]
    assert prior.logprob("Zarquon", ctx) > static.logprob("Zarquon", ctx) + 1.0
    assert "Zarquon" in [w for w, _ in prior.top_continuations(ctx, "Zar", 3)]
    assert "Zarquon" not in [w for w, _ in static.top_continuations(ctx, "Zar", 3)]
    prior.sync("The Mouse said to ")  # the document no longer has it
    assert "Zarquon" not in [w for w, _ in prior.top_continuations(ctx, "Zar", 3)]

"""The word-predictor baseline under the typist (`eval ksr --word-baseline`) and `eval wordlm`."""

import json

from ghostpen.cli import main
from ghostpen.evals.ksr import simulate
from ghostpen.evals.wordbase import WordSuggester
from ghostpen.model.wordlm import WordLM

TEXT = "the natural nature of the nation. " * 5 + "the nature of the nature. " * 20


def test_the_rest_of_the_best_word_and_a_space():
    s = WordSuggester(WordLM.train([TEXT], fit_document=False))
    got = s.suggest("it was of the na")
    assert got.text == "ture " and 0 < got.confidence <= 1
    assert s.suggest("it was of the") is None or s.suggest("it was of the").text != " "
    assert s.suggest("the end,") is None  # after punctuation the typist types the space
    assert s.suggest("of the ").text == "nature "


def test_a_word_typed_past_is_not_offered_again_at_that_position():
    lm = WordLM.train([TEXT], fit_document=False)
    s = WordSuggester(lm)
    assert s.suggest("so the na").text == "ture "
    second = s.suggest("so the nat")  # typed on: "nature" is not offered again here
    assert second is None or second.text != "ure "
    assert s.suggest("so the nature of the na").text == "ture "  # a new word: offered again
    again = WordSuggester(lm, no_repeat=False)
    again.suggest("so the na")
    assert again.suggest("so the nat").text == "ure "


def test_the_typist_saves_keystrokes_with_the_word_model():
    lm = WordLM.train([TEXT[: len(TEXT) // 2]], fit_document=False)
    result = simulate(WordSuggester(lm), TEXT, len(TEXT) // 2, len(TEXT))
    assert result["ksr"] > 0.3 and result["accepted"] > 0 and result["precision"] > 0


def test_eval_commands_print_json(fixtures_dir, tiny_model, capsys):
    text = str(fixtures_dir / "tiny.txt")
    assert main(["eval", "ksr", "--text", text, "--word-baseline", "--tail-fraction", "0.3",
                 "--model", str(tiny_model), "--json"]) == 0  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    assert result["model"] == "word n-gram" and result["no_repeat"] and result["chars"] > 400
    assert "trained on" in result["word_model"]  # the checkpoint has none: the head is used
    assert main(["eval", "wordlm", "--text", text, "--tail-fraction", "0.3", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["perplexity"] > 1 and 0 <= result["top1_accuracy"] <= 1
    assert result["file_bytes"] > 0 and result["header"]["order"] == 4

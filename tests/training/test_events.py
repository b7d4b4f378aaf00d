"""The progress events: one schema, dicts round-trip, and the names the editor reads stay."""

import dataclasses

from ghostpen.training import events


def test_every_event_round_trips_and_keeps_its_field_names():
    names = {
        "start": {"epochs", "chunks_per_epoch", "train_chars", "valid_chars", "vocab"}
        | {"resumed", "epoch", "step"},
        "step": {"epoch", "chunk", "chunks", "step", "loss", "chars_per_s", "eta_s", "lr"},
        "valid": {"epoch", "step", "val_bpc", "best_val_bpc", "lr", "improved", "elapsed_s"},
        "done": {"reason", "best_val_bpc", "epochs", "steps", "elapsed_s", "checkpoint"}
        | {"base_model", "base_val_bpc"},  # fine-tunes (training/finetune.py)
    }
    assert set(events.EVENTS) == set(names)
    for kind, cls in events.EVENTS.items():
        fields = {f.name for f in dataclasses.fields(cls)}
        assert fields == names[kind] | {"event"}
        values = {name: 1 for name in names[kind]}
        data = events.to_json(cls(**values))
        assert data["event"] == kind and events.parse({**data, "newer": 0}) == cls(**values)


def test_training_emits_only_schema_events(tmp_path, fixtures_dir):
    from ghostpen.model.config import ModelConfig
    from ghostpen.training.config import TrainConfig
    from ghostpen.training.loop import train

    seen = []
    result = train(
        ModelConfig(num_embed=4, num_hidden=8, num_layers=1, dropout=0.0),
        TrainConfig(epochs=1, seq_len=20, batch_size=4, valid_fraction=0.2),
        (fixtures_dir / "tiny.txt").read_text(),
        tmp_path / "ck",
        progress=seen.append,
    )
    for event in seen:
        assert events.to_json(events.parse(event)) == event
    assert result == seen[-1] and result["reason"] in events.REASONS

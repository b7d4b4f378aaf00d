"""The WHATWG closing-tag engine: tokenizer, tree construction and the incremental TagCloser."""

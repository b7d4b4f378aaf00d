"""Character-level language models (MXNet Gluon), vocabulary, checkpoints and generation."""

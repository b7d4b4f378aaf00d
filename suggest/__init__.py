"""The Qt-free suggestion engine: incremental decoding, document adaptation, HTML tag closing."""

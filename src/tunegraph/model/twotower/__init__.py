"""The TFRS two-tower retrieval model: its towers, training data, numpy query encoder, and
the multi-worker cluster it can train on."""

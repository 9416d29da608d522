"""The second stage: candidates merged from every retriever with their features, scored by
a TFRS or LightGBM ranker."""

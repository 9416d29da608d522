"""Pictures: the crawl graph (model curves and bars live with the model)."""

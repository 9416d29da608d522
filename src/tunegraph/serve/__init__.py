"""`tunegraph serve`: recommendations over HTTP from a model loaded once.

``app.create_app`` builds the aiohttp application (used directly by tests),
``runner.serve`` binds it and handles signals; requests are scored together by
``batcher.Batcher`` and the model is swapped whole by ``slot.ModelSlot``.
"""

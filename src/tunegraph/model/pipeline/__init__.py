"""The whole recommender: retrievers + two-tower + ranker put together, fitted, saved and
loaded back."""

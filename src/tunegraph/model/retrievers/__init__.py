"""Candidate retrievers fitted on the playlist x track matrix (ALS, neighbours, RP3beta,
titles, EASE) and the protocol they share; numpy and scipy only, never TensorFlow."""

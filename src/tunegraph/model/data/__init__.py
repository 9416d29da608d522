"""The export read into arrays (tracks, playlists), the challenge-style split and the sparse
matrix helpers every model part builds on; free of TensorFlow."""

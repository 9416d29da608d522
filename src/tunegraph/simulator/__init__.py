"""tunegraph.simulator: a local Spotify Web API look-alike with rate limits and faults.

Public API: ``WorldConfig``/``generate_world``/``load_mpd_world`` build a world;
``SimulatorConfig``/``build_app``/``run_simulator``/``SimulatorThread`` serve it.
"""

from tunegraph.simulator.runner import SimulatorThread
from tunegraph.simulator.server import RunningSimulator, SimulatorConfig, build_app, run_simulator
from tunegraph.simulator.world import World, WorldConfig, generate_world, load_mpd_world

__all__ = [
    "RunningSimulator",
    "SimulatorConfig",
    "SimulatorThread",
    "World",
    "WorldConfig",
    "build_app",
    "generate_world",
    "load_mpd_world",
    "run_simulator",
]

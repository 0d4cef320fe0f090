"""The model server of a ``--jobs`` run: the process its workers are forked from, with the
model already loaded.

Each worker of a pool used to import spaCy and load ``ja_ginza`` itself: about 1.2 s of CPU
per worker, all of it on the way to the first parse. When a run will parse (its first notices
are not in the parse cache), the runner instead starts multiprocessing's fork server with this
module preloaded: the server loads the model once, while the parent checks the rules and works
through the notices that need no parse, and every worker is then a fork of a loaded process
(the model's arrays shared until written, which they never are).

multiprocessing preloads by module name only, so what to load comes in the environment
(SETTINGS_ENV: the run's pickled ``Settings``), set by ``runner.start_model_server`` for the
moment the server starts. Importing this module anywhere else does nothing."""

from __future__ import annotations

import atexit
import base64
import logging
import os
import pickle

log = logging.getLogger(__name__)

SETTINGS_ENV = "ROUEI_MODEL_SERVER"


def encode(settings: object) -> str:
    return base64.b64encode(pickle.dumps(settings)).decode("ascii")


def _preload() -> None:
    raw = os.environ.get(SETTINGS_ENV)
    if not raw:
        return
    del os.environ[SETTINGS_ENV]  # the workers forked from here are not servers
    from rouei.extract.run import runner

    # Killed with the run's process (its parent), so a run killed by SIGKILL leaves neither
    # the server nor (each dies with the server) its workers behind. The server would also
    # end once every holder of its pipe from the run had closed it, but the workers hold one.
    runner.parent_death_signal()
    if os.getppid() == 1:
        runner.quick_exit()  # the run died before the signal was asked for
    try:
        runner.preload_worker(pickle.loads(base64.b64decode(raw)))
    except Exception as exc:  # noqa: BLE001 - then each worker loads the model it needs itself
        log.warning("the model server could not load the model (%s: %s); "
                    "each worker loads its own", type(exc).__name__, exc)
    # The server ends when the run's process does (multiprocessing closes its pipe). With the
    # model loaded a full interpreter shutdown takes a few tenths of a second, during which it
    # would keep the run's stdout and stderr open: it leaves at once instead, as workers do.
    atexit.register(runner.quick_exit)


_preload()

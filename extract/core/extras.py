"""Optional extras: features whose dependencies a user installs only when wanted.

``pip install 'rouei[parquet]'`` (pyarrow), ``[plot]`` (matplotlib), ``[dask]`` (dask,
distributed), ``[pdf]`` (pdfminer.six), ``[all]`` for everything. A command that needs a
missing one says which extra to install instead of failing with an ImportError traceback.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from rouei.extract.core.errors import RoueiError

# top-level module -> the extra that installs it
EXTRAS: dict[str, str] = {
    "pyarrow": "parquet",
    "matplotlib": "plot",
    "dask": "dask",
    "distributed": "dask",
    "pdfminer": "pdf",
}


class MissingExtra(RoueiError):
    """A feature's optional dependency is not installed (commands exit 2 on it)."""

    def __init__(self, module: str, feature: str) -> None:
        self.module = module
        self.extra = EXTRAS.get(module.split(".")[0], "all")
        super().__init__("E021", detail=(f"{feature} needs {module}, which is not installed; "
                                         f"install it with: pip install 'rouei[{self.extra}]'"))


def require(module: str, feature: str) -> ModuleType:
    """Import ``module`` or raise MissingExtra naming the extra that provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtra(module, feature) from exc

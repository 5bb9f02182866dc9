"""The landing zone: its contract, its files, and the loader into raw tables."""

from orchestration.landing.contract import LOADER_COLUMNS, TableContract, load_contracts
from orchestration.landing.files import LandingFile, LandingFileError, discover_files
from orchestration.landing.loader import LandingLoadError, TableLoadResult, load_table

__all__ = [
    "LOADER_COLUMNS",
    "LandingFile",
    "LandingFileError",
    "LandingLoadError",
    "TableContract",
    "TableLoadResult",
    "discover_files",
    "load_contracts",
    "load_table",
]

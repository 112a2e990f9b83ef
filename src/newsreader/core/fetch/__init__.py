"""Network access: the only package that talks HTTP."""

from newsreader.core.fetch.http import Fetcher, FetchLimits, FetchResponse

__all__ = ["FetchLimits", "FetchResponse", "Fetcher"]

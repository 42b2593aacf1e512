"""Getting raw material in: feeds (``feeds``), pages over HTTP (``fetch``) and local files
(``files``). Each returns plain data or model objects; storing them is the pipeline's job."""

from newsloom.ingest.feeds import FeedError, FeedItem, parse_feed
from newsloom.ingest.fetch import Fetcher, FetchError, FetchResult
from newsloom.ingest.files import read_jsonl

__all__ = [
    "FeedError",
    "FeedItem",
    "FetchError",
    "FetchResult",
    "Fetcher",
    "parse_feed",
    "read_jsonl",
]

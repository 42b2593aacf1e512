"""Clustering articles into stories: the online clusterer that ``newsloom run`` uses and the
offline peers that evaluation compares it with. All share one small interface shape."""

from newsloom.cluster.online import ClusterConfig, OnlineClusterer

__all__ = ["ClusterConfig", "OnlineClusterer"]

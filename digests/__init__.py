"""The monthly leaders' digest built on insights/: the job, stored digests, links and page."""

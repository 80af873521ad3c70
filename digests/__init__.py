"""Leaders' digests: the monthly job, stored digests, signed links and the HTML page."""

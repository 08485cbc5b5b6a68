"""The served-page bench: `bench/run` measures the site as served, beside nginx."""

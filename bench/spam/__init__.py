"""The spam filter's benchmark: a generated, labelled corpus of reader comments
(`corpus.py`) and the run that trains on part of it and measures the rest (`run.py`)."""

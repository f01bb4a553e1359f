"""Use cases over the stores: a citizen's deletion request, retention."""

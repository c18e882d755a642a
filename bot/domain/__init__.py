"""The records and the pure rules: below the store and the workflows, importing neither."""

"""Serving the marts to people and systems: the complaint report (`report`) and the read API
(`api`). Both log in as the reporter role, which reads the marts and nothing else."""

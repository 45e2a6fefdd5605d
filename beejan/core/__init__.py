"""The core every other layer stands on: settings, connections, errors, the warehouse server
and its roles. It imports nothing from the layers above it (extract_load, dbt runner, flows,
the command line)."""

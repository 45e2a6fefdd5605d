"""The Beejan complaint warehouse's own Python: the core (settings, connections, warehouse,
roles, errors), the dbt runner, and the `beejan` command line that wires everything together."""

"""The command-line surface: ``assistant`` and its subcommands, one module per command group."""

"""The CLI's commands, one module per subject; smajobs/cli.py registers each module's COMMANDS."""

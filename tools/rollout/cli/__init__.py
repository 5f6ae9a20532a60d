"""The command line: parse, call the library, format, map errors to exit codes."""

"""The `devzone` command line."""

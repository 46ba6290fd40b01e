# tools/: the `pronet` command-line tool.

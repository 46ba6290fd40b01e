# rules/: class maps, thresholds and custom protocol names, and their parsers.

# plugin/: the nDPI dissector and the LD_PRELOAD / dlopen module.

# ndpi-glue/: captures -> packets -> flows -> nDPI.

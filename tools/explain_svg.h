/* `pronet explain --svg-dir`: a class's evidence map (core/arch/pronet_cnn/
 * explain.h, S(i, byte)) as a heat map, hand-written SVG: 16 columns
 * (positions), 257 rows (byte values 0x00-0xff, then padding), red where the
 * byte pushes towards the class, blue where it pushes away, shaded by
 * |S| / max |S| of the class. */
#ifndef PRONET_TOOLS_EXPLAIN_SVG_H
#define PRONET_TOOLS_EXPLAIN_SVG_H

/* DIR/explain-NAME.svg (NAME: the class name, characters other than
 * letters, digits, '-' and '_' as '_'), whole or not at all; 0 on failure,
 * reported on stderr. */
int pronet_explain_write_svg(const char *dir, const char *class_name, const float *evidence);

#endif

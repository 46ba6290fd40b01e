/* Text inside the hand-written SVG pictures of `pronet eval` and
 * `pronet explain`: class names are the user's, and XML reserves < > &. */
#ifndef PRONET_TOOLS_SVG_TEXT_H
#define PRONET_TOOLS_SVG_TEXT_H

#include <stdio.h>

/* Writes `text` to `out` with <, > and & escaped. */
void pronet_svg_put_text(FILE *out, const char *text);

#endif

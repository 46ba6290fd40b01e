/* Functions libndpi 4.2 exports (nm -D) but its installed headers do not
 * declare. Declared once, here; configure compiles and links a call through
 * this very header against libndpi (configure.ac, "ndpi_handle_rule"), so a
 * libndpi without the symbol, or headers that declare it otherwise, stop the
 * build there instead of failing at run time. */
#ifndef PRONET_PLUGIN_NDPI_UNDECLARED_H
#define PRONET_PLUGIN_NDPI_UNDECLARED_H

#include <ndpi_api.h>

/* Adds one protos-file rule ("@Name" creates a custom protocol without a port
 * rule); 0 on success. ndpi_main.c at tag 4.2. */
int ndpi_handle_rule(struct ndpi_detection_module_struct *ndpi_str, char *rule, u_int8_t do_add);

#endif

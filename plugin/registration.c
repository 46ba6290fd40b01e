/* pronet_plugin_register: the one symbol a dlopen host looks up. */
#include "plugin/registration.h"
#include "plugin/host.h"

#include "config.h"

static enum pronet_err plugin_init(const struct pronet_plugin_config *config, char *errbuf)
{
	struct pronet_plugin_config from_env;
	enum pronet_err err;

	if (config == NULL) {
		err = pronet_host_config_from_env(&from_env, errbuf);
		if (err)
			return err;
		config = &from_env;
	}
	return pronet_host_load(config, errbuf);
}

static const struct pronet_plugin_descriptor descriptor = {
    .abi_version = PRONET_PLUGIN_ABI_VERSION,
    .name = "pronet",
    .version = PACKAGE_VERSION,
    /* nDPI is LGPLv3; the project licence is the lead's call. */
    .license = "LGPL-3.0-or-later",
    .init = plugin_init,
    .deinit = pronet_host_unload,
    .attach = pronet_host_attach,
    .detach = pronet_host_detach,
    .giveup = pronet_plugin_detection_giveup,
    .flow_result = pronet_plugin_flow_result,
    .flow_forget = pronet_plugin_flow_forget,
    .process_packet = pronet_plugin_process_packet,
    .flow_endpoints = pronet_plugin_flow_endpoints,
};

const struct pronet_plugin_descriptor *pronet_plugin_register(void)
{
	return &descriptor;
}

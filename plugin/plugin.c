/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * plugin.c - the entry points Wireshark looks for in an epan plugin.
 */
#include "msstun.h"

#include <epan/proto.h>
#include <epan/tap.h>

#ifndef MSSTUN_VERSION
#define MSSTUN_VERSION "0.0.0"
#endif

void proto_register_msstun(void);
void proto_reg_handoff_msstun(void);

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = MSSTUN_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);
#if MSSTUN_WS_VER >= 40300
#include <wsutil/plugins.h>
WS_DLL_PUBLIC uint32_t plugin_describe(void);
uint32_t
plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR | WS_PLUGIN_DESC_TAP_LISTENER;
}
#endif

void
plugin_register(void)
{
    static proto_plugin plug;
    static tap_plugin tplug;

    plug.register_protoinfo = proto_register_msstun;
    plug.register_handoff = proto_reg_handoff_msstun;
    proto_register_plugin(&plug);
    /* stats_tree and -z msstun,... reports */
    tplug.register_tap_listener = msstun_register_stats;
    tap_register_plugin(&tplug);
}

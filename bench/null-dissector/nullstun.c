/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * nullstun.c - a benchmark baseline: claims the frames msstun claims
 * (udp.port/tcp.port 3478 and a UDP/TCP heuristic on the STUN magic cookie
 * or the [MS-TURN] MAGIC-COOKIE attribute) and decodes nothing beyond one
 * protocol item. tshark's cost with this plugin is the framework's cost
 * (frame, Ethernet, IP, UDP/TCP, columns), which bench/run.sh subtracts.
 */
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/proto.h>

#define NULLSTUN_PORT 3478

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = "0.1.0";
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;
WS_DLL_PUBLIC void plugin_register(void);

static int proto_nullstun = -1;
static int hf_nullstun_att_type = -1;   /* never added: lets "-2 -Y nullstun.att.type" parse */
static dissector_handle_t nullstun_handle;

static int
dissect_nullstun(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "NULLSTUN");
    proto_tree_add_item(tree, proto_nullstun, tvb, 0, -1, ENC_NA);
    return tvb_captured_length(tvb);
}

static gboolean
looks_like_stun(tvbuff_t *tvb)
{
    if (tvb_captured_length(tvb) >= 8 && tvb_get_ntohl(tvb, 4) == 0x2112A442)
        return TRUE;
    return tvb_captured_length(tvb) >= 28 && tvb_get_ntohl(tvb, 20) == 0x000F0004 &&
           tvb_get_ntohl(tvb, 24) == 0x72C64BC6;
}

static gboolean
dissect_nullstun_heur(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    if (!looks_like_stun(tvb))
        return FALSE;
    dissect_nullstun(tvb, pinfo, tree, data);
    return TRUE;
}

static void
proto_register_nullstun(void)
{
    static hf_register_info hf[] = {
        { &hf_nullstun_att_type, { "Attribute Type", "nullstun.att.type", FT_UINT16, BASE_HEX, NULL, 0, NULL, HFILL } },
    };
    proto_nullstun = proto_register_protocol("Null STUN (benchmark baseline)", "NULLSTUN", "nullstun");
    proto_register_field_array(proto_nullstun, hf, array_length(hf));
    nullstun_handle = register_dissector("nullstun", dissect_nullstun, proto_nullstun);
}

static void
proto_reg_handoff_nullstun(void)
{
    dissector_add_uint_with_preference("udp.port", NULLSTUN_PORT, nullstun_handle);
    dissector_add_uint_with_preference("tcp.port", NULLSTUN_PORT, nullstun_handle);
    heur_dissector_add("udp", dissect_nullstun_heur, "Null STUN over UDP", "nullstun_udp",
                       proto_nullstun, HEURISTIC_ENABLE);
    heur_dissector_add("tcp", dissect_nullstun_heur, "Null STUN over TCP", "nullstun_tcp",
                       proto_nullstun, HEURISTIC_ENABLE);
}

void
plugin_register(void)
{
    static proto_plugin plug;

    plug.register_protoinfo = proto_register_nullstun;
    plug.register_handoff = proto_reg_handoff_nullstun;
    proto_register_plugin(&plug);
}

/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * register.c - the only registration file: protocol, fields, subtrees,
 * expert infos, preferences and hand-offs.
 *
 * Field names follow the built-in dissector's wherever it has the field
 * (stun.X -> msstun.X, same type and value), so users' filters port over.
 */
#include "msstun.h"

#include <epan/dissectors/packet-tcp.h>
#include <epan/tap.h>

int proto_msstun = -1;

dissector_handle_t msstun_udp_handle, msstun_udp_conv_handle, msstun_tcp_handle, msstun_peer_leg_handle;
dissector_handle_t msstun_data_handle, msstun_rtp_handle, msstun_rtcp_handle, msstun_dtls_handle;
heur_dissector_list_t msstun_heur_subdissectors;

msstun_bool_t msstun_pref_desegment = TRUE;
msstun_bool_t msstun_pref_rfc7983_demux = TRUE;
guint    msstun_pref_max_transactions = 100000;

/* header and framing */
int hf_msstun_type = -1, hf_msstun_type_class = -1, hf_msstun_type_method = -1,
    hf_msstun_type_method_assignment = -1, hf_msstun_length = -1, hf_msstun_cookie = -1, hf_msstun_id = -1,
    hf_msstun_network_version = -1, hf_msstun_ms_msg_type = -1, hf_msstun_attributes = -1,
    hf_msstun_attribute = -1, hf_msstun_attribute_ms = -1, hf_msstun_response_in = -1, hf_msstun_response_to = -1, hf_msstun_time = -1,
    hf_msstun_duplicate = -1, hf_msstun_retrans_count = -1, hf_msstun_channel = -1, hf_msstun_channel_peer = -1, hf_msstun_tcp_frame_length = -1,
    hf_msstun_msturn_frame_type = -1, hf_msstun_msturn_frame_reserved = -1, hf_msstun_mux_session_id = -1,
    hf_msstun_payload = -1, hf_msstun_padding_ch = -1;
/* attributes */
int hf_msstun_att_type = -1, hf_msstun_att_type_ms = -1, hf_msstun_att_type_comprehension = -1, hf_msstun_att_type_assignment = -1,
    hf_msstun_att_length = -1, hf_msstun_att_reserved = -1, hf_msstun_att_family = -1, hf_msstun_att_ipv4 = -1,
    hf_msstun_att_ipv6 = -1, hf_msstun_att_port = -1, hf_msstun_att_ipv4_xord = -1, hf_msstun_att_ipv6_xord = -1,
    hf_msstun_att_port_xord = -1, hf_msstun_att_username = -1, hf_msstun_att_username_opaque = -1,
    hf_msstun_att_password = -1, hf_msstun_att_padding = -1, hf_msstun_att_hmac = -1,
    hf_msstun_att_hmac_sha256 = -1, hf_msstun_att_hmac_status = -1, hf_msstun_att_crc32 = -1,
    hf_msstun_att_crc32_status = -1, hf_msstun_att_crc32_variant = -1, hf_msstun_att_error_class = -1, hf_msstun_att_error = -1,
    hf_msstun_att_error_code = -1, hf_msstun_att_error_reason = -1, hf_msstun_att_realm = -1,
    hf_msstun_att_nonce = -1, hf_msstun_att_unknown = -1, hf_msstun_att_icmp_type = -1,
    hf_msstun_att_icmp_code = -1, hf_msstun_att_icmp_data = -1, hf_msstun_att_unknown8006 = -1,
    hf_msstun_att_software = -1, hf_msstun_att_priority = -1, hf_msstun_att_tie_breaker = -1,
    hf_msstun_att_lifetime = -1, hf_msstun_att_change_ip = -1, hf_msstun_att_change_port = -1,
    hf_msstun_att_pw_alg = -1, hf_msstun_att_pw_alg_len = -1, hf_msstun_att_pw_alg_data = -1,
    hf_msstun_att_reserve_next = -1, hf_msstun_att_cache_timeout = -1, hf_msstun_att_token = -1,
    hf_msstun_value = -1, hf_msstun_att_transp = -1, hf_msstun_att_channelnum = -1,
    hf_msstun_att_magic_cookie = -1, hf_msstun_att_bandwidth = -1, hf_msstun_att_ms_version = -1,
    hf_msstun_att_ms_version_ice = -1, hf_msstun_att_ms_connection_id = -1,
    hf_msstun_att_ms_sequence_number = -1, hf_msstun_att_ms_stream_type = -1,
    hf_msstun_att_ms_service_quality = -1, hf_msstun_att_ms_foundation = -1,
    hf_msstun_att_ms_multiplexed_turn_session_id = -1, hf_msstun_att_bandwidth_acm_type = -1,
    hf_msstun_att_bandwidth_rsv_id = -1, hf_msstun_att_bw_misb = -1, hf_msstun_att_bw_masb = -1,
    hf_msstun_att_bw_mirb = -1, hf_msstun_att_bw_marb = -1, hf_msstun_att_address_rp_valid = -1,
    hf_msstun_att_address_rp_pstn = -1, hf_msstun_att_address_rp_reserved = -1,
    hf_msstun_att_address_rp_masb = -1, hf_msstun_att_address_rp_marb = -1, hf_msstun_att_sip_dialog_id = -1,
    hf_msstun_att_sip_call_id = -1, hf_msstun_att_lp_peer_location = -1, hf_msstun_att_lp_self_location = -1,
    hf_msstun_att_lp_federation = -1, hf_msstun_att_google_network_id = -1,
    hf_msstun_att_google_network_cost = -1, hf_msstun_att_connection_id = -1, hf_msstun_att_data = -1,
    hf_msstun_att_userhash = -1,
    hf_msstun_att_alternate_domain = -1, hf_msstun_att_third_party_auth = -1, hf_msstun_att_origin = -1,
    hf_msstun_att_mobility_ticket = -1, hf_msstun_att_ttc_req = -1, hf_msstun_att_ttc_resp = -1,
    hf_msstun_att_ecn = -1, hf_msstun_att_response_port = -1,
    hf_msstun_att_goog_misc = -1, hf_msstun_att_access_token = -1, hf_msstun_att_address_error_family = -1,
    hf_msstun_att_address_error_code = -1, hf_msstun_att_address_error_reason = -1, hf_msstun_att_ms_value32 = -1;
/* allocations and ICE pairs */
int hf_msstun_alloc_id = -1, hf_msstun_alloc_requested_in = -1, hf_msstun_alloc_success_in = -1,
    hf_msstun_alloc_relayed = -1, hf_msstun_alloc_deleted_in = -1;
int hf_msstun_ice_pair = -1, hf_msstun_ice_dir_checks = -1, hf_msstun_ice_dir_answered = -1,
    hf_msstun_ice_dir_failed = -1, hf_msstun_ice_rev_checks = -1, hf_msstun_ice_rev_answered = -1,
    hf_msstun_ice_nominated = -1, hf_msstun_ice_answered_in = -1, hf_msstun_ice_rev_answered_in = -1,
    hf_msstun_ice_nominated_in = -1;
/* RFC 6062 */
int hf_msstun_rfc6062_connection_id = -1, hf_msstun_rfc6062_announced_in = -1, hf_msstun_rfc6062_bound_in = -1,
    hf_msstun_rfc6062_peer = -1;

gint ett_msstun = -1, ett_msstun_type = -1, ett_msstun_attributes = -1, ett_msstun_att = -1,
     ett_msstun_framing = -1, ett_msstun_channel = -1, ett_msstun_rfc6062 = -1,
     ett_msstun_alloc = -1, ett_msstun_ice = -1;

expert_field ei_msstun_short_packet = EI_INIT, ei_msstun_wrong_msglen = EI_INIT,
    ei_msstun_long_attribute = EI_INIT, ei_msstun_unknown_attribute = EI_INIT,
    ei_msstun_att_crc32_bad = EI_INIT, ei_msstun_att_overrun = EI_INIT, ei_msstun_att_truncated = EI_INIT,
    ei_msstun_att_bad_length = EI_INIT, ei_msstun_att_padding = EI_INIT, ei_msstun_att_after_fp = EI_INIT,
    ei_msstun_att_after_mi = EI_INIT, ei_msstun_magic_cookie_value = EI_INIT,
    ei_msstun_magic_cookie_not_first = EI_INIT, ei_msstun_magic_cookie_missing = EI_INIT,
    ei_msstun_att_bad_family = EI_INIT, ei_msstun_framing_bad = EI_INIT,
    ei_msstun_framing_length = EI_INIT, ei_msstun_channel_reserved = EI_INIT, ei_msstun_trailing = EI_INIT,
    ei_msstun_retransmission = EI_INIT, ei_msstun_trans_cap = EI_INIT, ei_msstun_att_value = EI_INIT,
    ei_msstun_diag_auth_failed = EI_INIT, ei_msstun_diag_auth_challenge = EI_INIT,
    ei_msstun_diag_stale_nonce = EI_INIT, ei_msstun_diag_stale_nonce_failed = EI_INIT,
    ei_msstun_diag_forbidden = EI_INIT, ei_msstun_diag_alloc_mismatch = EI_INIT, ei_msstun_diag_quota = EI_INIT,
    ei_msstun_diag_capacity = EI_INIT, ei_msstun_diag_try_alternate = EI_INIT,
    ei_msstun_diag_unknown_attr = EI_INIT, ei_msstun_diag_transport = EI_INIT, ei_msstun_diag_rfc6062 = EI_INIT,
    ei_msstun_diag_rfc6062_failed = EI_INIT, ei_msstun_diag_role_conflict = EI_INIT, ei_msstun_diag_error = EI_INIT,
    ei_msstun_ice_one_way = EI_INIT, ei_msstun_ice_pair_failed = EI_INIT, ei_msstun_ice_session_failed = EI_INIT,
    ei_msstun_unanswered = EI_INIT, ei_msstun_rfc6062_unknown_cid = EI_INIT, ei_msstun_fp_not_last = EI_INIT, ei_msstun_fp_variant = EI_INIT, ei_msstun_att_too_many = EI_INIT,
    ei_msstun_path_failed = EI_INIT, ei_msstun_path_warning = EI_INIT, ei_msstun_path_event = EI_INIT,
    ei_msstun_unknown_attribute_vendor = EI_INIT, ei_msstun_vendor_unpadded = EI_INIT, ei_msstun_att_ms_deviation = EI_INIT;

static const value_string fp_variant_vals[] = {
    { 1, "RFC 5389 (length covers FINGERPRINT)" },
    { 2, "[MS-ICE2] legacy CRC-32 table (entry 0x5A = 0x08bbe8ea)" },
    { 0, NULL } };
/* msstun.type.class is the C1/C0 bits as they sit in the type: 0x00, 0x01, 0x10, 0x11 */
static const value_string class_bits_vals[] = {
    { 0x00, "Request" }, { 0x01, "Indication" }, { 0x10, "Success Response" }, { 0x11, "Error Response" }, { 0, NULL } };
/* msstun.type.method is the method bits as they sit in the type (mask 0x3EEF, not
 * compacted): the names are keyed on those values, as the built-in's stun.type.method
 * shows them. GOOG-PING 0x080 sits at 0x200. */
static const value_string method_bits_vals[] = {
    { 0x001, "Binding" }, { 0x002, "Shared Secret" }, { 0x003, "Allocate" }, { 0x004, "Refresh" },
    { 0x006, "Send" }, { 0x007, "Data" }, { 0x008, "CreatePermission" }, { 0x009, "ChannelBind" },
    { 0x00A, "Connect" }, { 0x00B, "ConnectionBind" }, { 0x00C, "ConnectionAttempt" }, { 0x200, "GOOG-PING" },
    { 0, NULL } };
static const value_string transport_vals[] = { { 17, "UDP" }, { 6, "TCP" }, { 0, NULL } };
static const value_string family_vals[] = { { 1, "IPv4" }, { 2, "IPv6" }, { 0, NULL } };
static const value_string comprehension_vals[] = { { 0, "Required" }, { 1, "Optional" }, { 0, NULL } };
static const value_string assignment_vals[] = { { 0, "IETF Review" }, { 1, "Designated Expert" }, { 0, NULL } };
static const value_string pw_alg_vals[] = { { 0, "Reserved" }, { 1, "MD5" }, { 2, "SHA-256" }, { 0, NULL } };
static const value_string reserve_next_vals[] = { { 0, "No reservation" }, { 1, "Reserve next port number" }, { 0, NULL } };
static const value_string ms_version_vals[] = {
    { 1, "ICE" }, { 2, "MS-ICE2" }, { 3, "MS-ICE2 with SHA256" }, { 4, "MS-ICE2 with SHA256 and IPv6" },
    { 5, "MULTIPLEXED TURN over UDP only" }, { 6, "MULTIPLEXED TURN over UDP and TCP" }, { 0, NULL } };
static const value_string stream_type_vals[] = {
    { 1, "Audio" }, { 2, "Video" }, { 3, "Supplemental Video" }, { 4, "Data" }, { 0, NULL } };
/* [MS-ICE2] 2.2.2.2 as implementations use it (protocol.md b.2: 0-2 libnice, 3 Skype, 7 Teams) */
static const range_string impl_version_rvals[] = {
    { 0, 2, "[IETFDRAFT-STUN-02] message formats only" },
    { 3, 0xFFFFFFFF, "RFC 5389 message formats" }, { 0, 0, NULL } };
static const value_string service_quality_vals[] = {
    { 0, "Best effort delivery" }, { 1, "Reliable delivery" }, { 0, NULL } };
static const value_string bw_acm_vals[] = {
    { 0, "Reservation Check" }, { 1, "Reservation Commit" }, { 2, "Reservation Update" }, { 0, NULL } };
static const value_string location_vals[] = { { 0, "Unknown" }, { 1, "Internet" }, { 2, "Intranet" }, { 0, NULL } };
static const value_string federation_vals[] = {
    { 0, "No Federation" }, { 1, "Enterprise Federation" }, { 2, "Public Cloud Federation" }, { 0, NULL } };
static const value_string network_cost_vals[] = {
    { 0, "Min" }, { 10, "Low" }, { 50, "Unknown" }, { 250, "Cellular5G" }, { 500, "Cellular4G" },
    { 900, "Cellular" }, { 910, "Cellular3G" }, { 980, "Cellular2G" }, { 999, "Max" }, { 0, NULL } };
static const value_string msturn_frame_type_vals[] = {
    { 2, "TURN control message" }, { 3, "End-to-end data" }, { 0, NULL } };

void msstun_attr_table_init(void);
void msstun_transactions_init(void);

static void
msstun_init(void)
{
    msstun_transactions_init();
    msstun_turn_init();
    msstun_ice_init();
    msstun_path_init();
    msstun_conv_cache_reset();
}

void proto_register_msstun(void);
void proto_reg_handoff_msstun(void);

#define HF(id, name, abbrev, type, display, strings, mask, blurb) \
    { &id, { name, abbrev, type, display, strings, mask, blurb, HFILL } }

void
proto_register_msstun(void)
{
    static hf_register_info hf[] = {
        HF(hf_msstun_type, "Message Type", "msstun.type", FT_UINT16, BASE_HEX, NULL, 0, NULL),
        HF(hf_msstun_type_class, "Message Class", "msstun.type.class", FT_UINT16, BASE_HEX, VALS(class_bits_vals), 0x0110, NULL),
        HF(hf_msstun_type_method, "Message Method", "msstun.type.method", FT_UINT16, BASE_HEX, VALS(method_bits_vals), 0x3EEF, NULL),
        HF(hf_msstun_type_method_assignment, "Message Method Assignment", "msstun.type.method-assignment",
           FT_UINT16, BASE_HEX, VALS(assignment_vals), 0x2000, NULL),
        HF(hf_msstun_ms_msg_type, "MS-TURN Message Type", "msstun.ms.msg_type", FT_UINT16, BASE_HEX,
           VALS(msstun_ms_msg_types), 0, "[MS-TURN] 2.2.1 fixed message type code"),
        HF(hf_msstun_length, "Message Length", "msstun.length", FT_UINT16, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_cookie, "Message Cookie", "msstun.cookie", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_id, "Message Transaction ID", "msstun.id", FT_BYTES, BASE_NONE, NULL, 0,
           "96 bits after the cookie (RFC 5389), or 128 bits (RFC 3489, [MS-TURN])"),
        HF(hf_msstun_network_version, "STUN Network Version", "msstun.network_version", FT_UINT8, BASE_DEC,
           VALS(msstun_network_version_vals), 0, "Header format"),
        HF(hf_msstun_attributes, "Attributes", "msstun.attributes", FT_NONE, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_attribute, "Attribute", "msstun.attribute", FT_UINT16, BASE_HEX | BASE_EXT_STRING,
           &msstun_attr_names_ext, 0, "The attribute (its type)"),
        HF(hf_msstun_attribute_ms, "Attribute", "msstun.attribute", FT_UINT16, BASE_HEX | BASE_EXT_STRING,
           &msstun_ms_attr_names_ext, 0, "The attribute (its type), [MS-TURN] names"),
        HF(hf_msstun_response_in, "Response In", "msstun.response-in", FT_FRAMENUM, BASE_NONE,
           FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0, "The response to this request is in this frame"),
        HF(hf_msstun_response_to, "Request In", "msstun.response-to", FT_FRAMENUM, BASE_NONE,
           FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0, "This is a response to the request in this frame"),
        HF(hf_msstun_time, "Time", "msstun.time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0,
           "Time between request and response"),
        HF(hf_msstun_duplicate, "Duplicated original message in", "msstun.reqduplicate", FT_FRAMENUM, BASE_NONE,
           FRAMENUM_TYPE(FT_FRAMENUM_DUP_ACK), 0, "This is a retransmission of the message in this frame"),
        HF(hf_msstun_retrans_count, "Retransmissions", "msstun.retransmissions", FT_UINT16, BASE_DEC, NULL, 0,
           "How often this request was sent again"),
        HF(hf_msstun_channel, "Channel Number", "msstun.channel", FT_UINT16, BASE_HEX, NULL, 0, NULL),
        HF(hf_msstun_channel_peer, "Channel Peer", "msstun.channel.peer", FT_STRING, BASE_NONE, NULL, 0,
           "Peer bound to this channel by ChannelBind"),
        HF(hf_msstun_tcp_frame_length, "TCP Frame Length", "msstun.tcp_frame_length", FT_UINT16, BASE_DEC, NULL, 0,
           "RFC 4571 or [MS-TURN] 2.1.4 frame length"),
        HF(hf_msstun_msturn_frame_type, "MS-TURN Frame Type", "msstun.msturn_frame.type", FT_UINT8, BASE_HEX,
           VALS(msturn_frame_type_vals), 0, "[MS-TURN] 2.1.4"),
        HF(hf_msstun_msturn_frame_reserved, "MS-TURN Frame Reserved", "msstun.msturn_frame.reserved", FT_UINT8,
           BASE_HEX, NULL, 0, NULL),
        HF(hf_msstun_mux_session_id, "MS TURN Session Id", "msstun.att.ms.turn_session_id", FT_UINT64, BASE_HEX,
           NULL, 0, "[MS-TURN] 2.2.3 MTURN_Session_ID"),
        HF(hf_msstun_payload, "Payload", "msstun.payload", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_padding_ch, "Padding", "msstun.channel.padding", FT_UINT16, BASE_DEC, NULL, 0, NULL),

        HF(hf_msstun_att_type, "Attribute Type", "msstun.att.type", FT_UINT16, BASE_HEX | BASE_EXT_STRING,
           &msstun_attr_names_ext, 0, NULL),
        /* the same filter name with [MS-TURN]'s names, for attributes of MS-TURN messages */
        HF(hf_msstun_att_type_ms, "Attribute Type", "msstun.att.type", FT_UINT16, BASE_HEX | BASE_EXT_STRING,
           &msstun_ms_attr_names_ext, 0, NULL),
        HF(hf_msstun_att_type_comprehension, "Attribute Type Comprehension", "msstun.att.type.comprehension",
           FT_UINT16, BASE_HEX, VALS(comprehension_vals), 0x8000, NULL),
        HF(hf_msstun_att_type_assignment, "Attribute Type Assignment", "msstun.att.type.assignment",
           FT_UINT16, BASE_HEX, VALS(assignment_vals), 0x4000, NULL),
        HF(hf_msstun_att_length, "Attribute Length", "msstun.att.length", FT_UINT16, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_att_reserved, "Reserved", "msstun.att.reserved", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_family, "Protocol Family", "msstun.att.family", FT_UINT8, BASE_HEX, VALS(family_vals), 0, NULL),
        HF(hf_msstun_att_ipv4, "IP", "msstun.att.ipv4", FT_IPv4, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_ipv6, "IP", "msstun.att.ipv6", FT_IPv6, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_port, "Port", "msstun.att.port", FT_UINT16, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_att_ipv4_xord, "IP (XOR-d)", "msstun.att.ipv4-xord", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_ipv6_xord, "IP (XOR-d)", "msstun.att.ipv6-xord", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_port_xord, "Port (XOR-d)", "msstun.att.port-xord", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_username, "Username", "msstun.att.username", FT_STRING, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_username_opaque, "Username", "msstun.att.username.opaque", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_password, "Password", "msstun.att.password", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_padding, "Padding", "msstun.att.padding", FT_UINT16, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_att_hmac, "HMAC-SHA1", "msstun.att.hmac", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_hmac_sha256, "HMAC-SHA256", "msstun.att.hmac-sha256", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_hmac_status, "MESSAGE-INTEGRITY Status", "msstun.att.hmac.status", FT_UINT8, BASE_NONE,
           VALS(proto_checksum_vals), 0, NULL),
        HF(hf_msstun_att_crc32, "CRC-32", "msstun.att.crc32", FT_UINT32, BASE_HEX, NULL, 0, NULL),
        HF(hf_msstun_att_crc32_variant, "FINGERPRINT rule", "msstun.att.crc32.variant", FT_UINT8, BASE_DEC,
           VALS(fp_variant_vals), 0, "Which computation matched the FINGERPRINT"),
        HF(hf_msstun_att_crc32_status, "CRC-32 Status", "msstun.att.crc32.status", FT_UINT8, BASE_NONE,
           VALS(proto_checksum_vals), 0, NULL),
        HF(hf_msstun_att_error_class, "Error Class", "msstun.att.error.class", FT_UINT8, BASE_DEC, NULL, 0x07, NULL),
        HF(hf_msstun_att_error, "Error Code", "msstun.att.error", FT_UINT8, BASE_DEC, NULL, 0, "Error number (0-99)"),
        HF(hf_msstun_att_error_code, "Error Code (full)", "msstun.att.error.code", FT_UINT16, BASE_DEC,
           VALS(msstun_error_names), 0, "Class * 100 + number"),
        HF(hf_msstun_att_error_reason, "Error Reason Phrase", "msstun.att.error.reason", FT_STRING, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_realm, "Realm", "msstun.att.realm", FT_STRING, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_nonce, "Nonce", "msstun.att.nonce", FT_STRING, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_unknown, "Unknown Attribute", "msstun.att.unknown", FT_UINT16, BASE_HEX | BASE_EXT_STRING,
           &msstun_attr_names_ext, 0, NULL),
        HF(hf_msstun_att_icmp_type, "ICMP type", "msstun.att.icmp.type", FT_UINT8, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_att_icmp_code, "ICMP code", "msstun.att.icmp.code", FT_UINT16, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_att_icmp_data, "ICMP error data", "msstun.att.icmp.data", FT_UINT32, BASE_HEX, NULL, 0, NULL),
        HF(hf_msstun_att_unknown8006, "Unknown8006", "msstun.att.unknown8006", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_software, "Software", "msstun.att.software", FT_STRING, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_priority, "Priority", "msstun.att.priority", FT_UINT32, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_att_tie_breaker, "Tie breaker", "msstun.att.tie-breaker", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_lifetime, "Lifetime", "msstun.att.lifetime", FT_UINT32, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_att_change_ip, "Change IP", "msstun.att.change-ip", FT_BOOLEAN, 16, TFS(&tfs_set_notset), 0x0004, NULL),
        HF(hf_msstun_att_change_port, "Change Port", "msstun.att.change-port", FT_BOOLEAN, 16, TFS(&tfs_set_notset), 0x0002, NULL),
        HF(hf_msstun_att_pw_alg, "Password Algorithm", "msstun.att.pw_alg", FT_UINT16, BASE_DEC, VALS(pw_alg_vals), 0, NULL),
        HF(hf_msstun_att_pw_alg_len, "Password Algorithm Length", "msstun.att.pw_alg_len", FT_UINT16, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_att_pw_alg_data, "Password Algorithm Data", "msstun.att.pw_alg_data", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_reserve_next, "Reserve next", "msstun.att.even-port.reserve-next", FT_UINT8, BASE_DEC,
           VALS(reserve_next_vals), 0x80, NULL),
        HF(hf_msstun_att_cache_timeout, "Cache timeout", "msstun.att.cache-timeout", FT_UINT32, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_att_token, "Token", "msstun.att.token", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_value, "Value", "msstun.value", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_transp, "Transport", "msstun.att.transp", FT_UINT8, BASE_HEX, VALS(transport_vals), 0, NULL),
        HF(hf_msstun_att_channelnum, "Channel-Number", "msstun.att.channelnum", FT_UINT16, BASE_HEX, NULL, 0, NULL),
        HF(hf_msstun_att_magic_cookie, "Magic Cookie", "msstun.att.magic_cookie", FT_UINT32, BASE_HEX, NULL, 0, NULL),
        HF(hf_msstun_att_bandwidth, "Bandwidth", "msstun.port.bandwidth", FT_UINT32, BASE_DEC, NULL, 0,
           "[MS-TURN] 2.2.2.9 peak bandwidth, kbit/s"),
        HF(hf_msstun_att_ms_version, "MS Version", "msstun.att.ms.version", FT_UINT32, BASE_DEC, VALS(ms_version_vals), 0, NULL),
        HF(hf_msstun_att_ms_version_ice, "MS ICE Version", "msstun.att.ms.version.ice", FT_UINT32, BASE_DEC | BASE_RANGE_STRING,
           RVALS(impl_version_rvals), 0,
           "[MS-ICE2] IMPLEMENTATION-VERSION"),
        HF(hf_msstun_att_ms_connection_id, "Connection ID", "msstun.att.ms.connection_id", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_ms_sequence_number, "Sequence Number", "msstun.att.ms.sequence_number", FT_UINT32, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_att_ms_stream_type, "Stream Type", "msstun.att.ms.stream_type", FT_UINT16, BASE_DEC,
           VALS(stream_type_vals), 0, NULL),
        HF(hf_msstun_att_ms_service_quality, "Service Quality", "msstun.att.ms.service_quality", FT_UINT16, BASE_DEC,
           VALS(service_quality_vals), 0, NULL),
        HF(hf_msstun_att_ms_foundation, "Foundation", "msstun.att.ms.foundation", FT_STRING, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_ms_multiplexed_turn_session_id, "MS Multiplexed TURN Session Id",
           "msstun.att.ms.multiplexed_turn_session_id", FT_UINT64, BASE_HEX, NULL, 0, NULL),
        HF(hf_msstun_att_bandwidth_acm_type, "Message Type", "msstun.att.bandwidth_acm.type", FT_UINT16, BASE_DEC,
           VALS(bw_acm_vals), 0, NULL),
        HF(hf_msstun_att_bandwidth_rsv_id, "Reservation ID", "msstun.att.bandwidth_rsv_id", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_bw_misb, "Minimum Send Bandwidth", "msstun.att.bandwidth_rsv_amount.misb", FT_UINT32, BASE_DEC,
           NULL, 0, "kbit/s; [MS-TURNBWM] 2.2.3 first field"),
        HF(hf_msstun_att_bw_masb, "Maximum Send Bandwidth", "msstun.att.bandwidth_rsv_amount.masb", FT_UINT32, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_att_bw_mirb, "Minimum Receive Bandwidth", "msstun.att.bandwidth_rsv_amount.mirb", FT_UINT32, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_att_bw_marb, "Maximum Receive Bandwidth", "msstun.att.bandwidth_rsv_amount.marb", FT_UINT32, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_att_address_rp_valid, "Valid", "msstun.att.address_rp.valid", FT_BOOLEAN, 32, NULL, 0x80000000, NULL),
        HF(hf_msstun_att_address_rp_pstn, "PSTN", "msstun.att.address_rp.pstn", FT_BOOLEAN, 32, NULL, 0x40000000, NULL),
        HF(hf_msstun_att_address_rp_reserved, "Reserved", "msstun.att.address_rp.reserved", FT_UINT32, BASE_HEX, NULL, 0x3FFFFFFF, NULL),
        HF(hf_msstun_att_address_rp_masb, "Maximum Send Bandwidth", "msstun.att.address_rp.masb", FT_UINT32, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_att_address_rp_marb, "Maximum Receive Bandwidth", "msstun.att.address_rp.marb", FT_UINT32, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_att_sip_dialog_id, "SIP Dialog ID", "msstun.att.sip_dialog_id", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_sip_call_id, "SIP Call ID", "msstun.att.sip_call_id", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_lp_peer_location, "Peer Location", "msstun.att.lp.peer_location", FT_UINT8, BASE_DEC,
           VALS(location_vals), 0, NULL),
        HF(hf_msstun_att_lp_self_location, "Self Location", "msstun.att.lp.seft_location", FT_UINT8, BASE_DEC,
           VALS(location_vals), 0, "Named as the built-in names it"),
        HF(hf_msstun_att_lp_federation, "Federation", "msstun.att.lp.federation", FT_UINT8, BASE_DEC,
           VALS(federation_vals), 0, NULL),
        HF(hf_msstun_att_google_network_id, "Google Network ID", "msstun.att.google.network_id", FT_UINT16, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_att_google_network_cost, "Google Network Cost", "msstun.att.google.network_cost", FT_UINT16, BASE_DEC,
           VALS(network_cost_vals), 0, NULL),
        HF(hf_msstun_att_connection_id, "Connection ID", "msstun.att.connection_id", FT_UINT32, BASE_HEX, NULL, 0,
           "RFC 6062 CONNECTION-ID"),
        HF(hf_msstun_att_data, "Data", "msstun.att.data", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_userhash, "Userhash", "msstun.att.userhash", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_alternate_domain, "Domain", "msstun.att.domain", FT_STRING, BASE_NONE, NULL, 0,
           "ALTERNATE-DOMAIN or MS-ALTERNATE-HOST-NAME"),
        HF(hf_msstun_att_third_party_auth, "Third-party authorization server", "msstun.att.third_party_auth", FT_STRING,
           BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_origin, "Origin", "msstun.att.origin", FT_STRING, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_mobility_ticket, "Mobility Ticket", "msstun.att.mobility_ticket", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_ttc_req, "Request transmit count", "msstun.att.ttc.req", FT_UINT8, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_att_ttc_resp, "Response transmit count", "msstun.att.ttc.resp", FT_UINT8, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_att_ecn, "ECN check", "msstun.att.ecn_check", FT_UINT32, BASE_HEX, NULL, 0, NULL),
        HF(hf_msstun_att_response_port, "Response Port", "msstun.att.response_port", FT_UINT16, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_att_goog_misc, "Google attribute value", "msstun.att.google.value", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_access_token, "Access Token", "msstun.att.access_token", FT_BYTES, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_address_error_family, "Address Family", "msstun.att.address_error.family", FT_UINT8, BASE_HEX,
           VALS(family_vals), 0, NULL),
        HF(hf_msstun_att_address_error_code, "Address Error Code", "msstun.att.address_error.code", FT_UINT16, BASE_DEC,
           VALS(msstun_error_names), 0, NULL),
        HF(hf_msstun_att_address_error_reason, "Address Error Reason", "msstun.att.address_error.reason", FT_STRING,
           BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_att_ms_value32, "Value (32-bit)", "msstun.att.ms.value32", FT_UINT32, BASE_DEC, NULL, 0,
           "A 4-byte value of a Microsoft attribute whose layout no spec gives (0x8006, 0x8033, 0x8036, 0x8037, 0x8039)"),

        HF(hf_msstun_alloc_id, "TURN allocation", "msstun.alloc", FT_UINT32, BASE_DEC, NULL, 0,
           "The allocation (numbered in capture order) this message belongs to"),
        HF(hf_msstun_alloc_requested_in, "Allocate request in", "msstun.alloc.requested_in", FT_FRAMENUM, BASE_NONE,
           FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0, "The first Allocate request of this allocation"),
        HF(hf_msstun_alloc_success_in, "Allocated in", "msstun.alloc.success_in", FT_FRAMENUM, BASE_NONE,
           FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0, "The Allocate success response"),
        HF(hf_msstun_alloc_relayed, "Relayed address", "msstun.alloc.relayed", FT_STRING, BASE_NONE, NULL, 0, NULL),
        HF(hf_msstun_alloc_deleted_in, "Released in", "msstun.alloc.deleted_in", FT_FRAMENUM, BASE_NONE, NULL, 0,
           "Refresh with LIFETIME 0"),
        HF(hf_msstun_ice_pair, "ICE candidate pair", "msstun.ice.pair", FT_UINT32, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_ice_dir_checks, "Checks this way", "msstun.ice.checks", FT_UINT32, BASE_DEC, NULL, 0,
           "Binding requests in this message's direction (retransmissions not counted)"),
        HF(hf_msstun_ice_dir_answered, "Answered this way", "msstun.ice.answered", FT_UINT32, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_ice_dir_failed, "Failed this way", "msstun.ice.failed", FT_UINT32, BASE_DEC, NULL, 0,
           "Error responses"),
        HF(hf_msstun_ice_rev_checks, "Checks the other way", "msstun.ice.reverse.checks", FT_UINT32, BASE_DEC, NULL, 0, NULL),
        HF(hf_msstun_ice_rev_answered, "Answered the other way", "msstun.ice.reverse.answered", FT_UINT32, BASE_DEC,
           NULL, 0, NULL),
        HF(hf_msstun_ice_nominated, "Nominations answered", "msstun.ice.nominated", FT_UINT32, BASE_DEC, NULL, 0,
           "USE-CANDIDATE checks that succeeded"),
        HF(hf_msstun_ice_answered_in, "First answer this way in", "msstun.ice.answered_in", FT_FRAMENUM, BASE_NONE,
           FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0, "First success response to a check in this message's direction"),
        HF(hf_msstun_ice_rev_answered_in, "First answer the other way in", "msstun.ice.reverse.answered_in", FT_FRAMENUM,
           BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0, "First success response to a check the other way"),
        HF(hf_msstun_ice_nominated_in, "Nominated in", "msstun.ice.nominated_in", FT_FRAMENUM, BASE_NONE,
           FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0, "Success response to the first USE-CANDIDATE check (this way if any)"),
        HF(hf_msstun_rfc6062_connection_id, "RFC 6062 Connection ID", "msstun.rfc6062.connection_id", FT_UINT32, BASE_HEX,
           NULL, 0, "The TCP data connection this frame belongs to"),
        HF(hf_msstun_rfc6062_announced_in, "Connection announced in", "msstun.rfc6062.announced_in", FT_FRAMENUM,
           BASE_NONE, NULL, 0, "Connect success or ConnectionAttempt that announced this CONNECTION-ID"),
        HF(hf_msstun_rfc6062_bound_in, "Connection bound in", "msstun.rfc6062.bound_in", FT_FRAMENUM, BASE_NONE,
           NULL, 0, "ConnectionBind that claimed this CONNECTION-ID"),
        HF(hf_msstun_rfc6062_peer, "Peer", "msstun.rfc6062.peer", FT_STRING, BASE_NONE, NULL, 0,
           "Peer address of the RFC 6062 data connection"),
    };

    static gint *ett[] = {
        &ett_msstun, &ett_msstun_type, &ett_msstun_attributes, &ett_msstun_att,
        &ett_msstun_framing, &ett_msstun_channel, &ett_msstun_rfc6062, &ett_msstun_alloc, &ett_msstun_ice,
    };

    static ei_register_info ei[] = {
        { &ei_msstun_short_packet, { "msstun.short_packet", PI_MALFORMED, PI_ERROR, "Packet is too short", EXPFILL } },
        /* warn, not error: vendor dialects with unpadded attributes send such lengths on working calls */
        { &ei_msstun_wrong_msglen, { "msstun.wrong_msglen", PI_MALFORMED, PI_WARN,
            "Message length is not a multiple of 4 bytes (RFC 5389 6)", EXPFILL } },
        { &ei_msstun_long_attribute, { "msstun.long_attribute", PI_MALFORMED, PI_WARN, "Attribute has trailing data", EXPFILL } },
        { &ei_msstun_unknown_attribute, { "msstun.unknown_attribute", PI_UNDECODED, PI_WARN,
            "Unknown comprehension-required attribute", EXPFILL } },
        { &ei_msstun_unknown_attribute_vendor, { "msstun.unknown_attribute.vendor", PI_UNDECODED, PI_NOTE,
            "Unknown attribute in a vendor-method message", EXPFILL } },
        { &ei_msstun_vendor_unpadded, { "msstun.vendor.unpadded", PI_PROTOCOL, PI_CHAT,
            "Vendor-method message with unpadded attributes", EXPFILL } },
        { &ei_msstun_att_ms_deviation, { "msstun.att.ms.deviation", PI_PROTOCOL, PI_NOTE,
            "Microsoft attribute differs from its spec as real clients send it", EXPFILL } },
        { &ei_msstun_att_crc32_bad, { "msstun.att.crc32.bad", PI_CHECKSUM, PI_ERROR, "Bad FINGERPRINT", EXPFILL } },
        { &ei_msstun_att_too_many, { "msstun.att.too_many", PI_PROTOCOL, PI_WARN,
            "Too many attributes: the rest of the message is not decoded", EXPFILL } },
        { &ei_msstun_fp_variant, { "msstun.att.crc32.variant.nonstandard", PI_PROTOCOL, PI_NOTE,
            "FINGERPRINT matches only with the legacy [MS-ICE2] CRC-32 table", EXPFILL } },
        { &ei_msstun_fp_not_last, { "msstun.att.crc32.not_last", PI_PROTOCOL, PI_WARN,
            "FINGERPRINT is not the last attribute (RFC 5389 15.5)", EXPFILL } },
        { &ei_msstun_att_overrun, { "msstun.att.overrun", PI_MALFORMED, PI_ERROR,
            "Attribute length goes past the end of the message", EXPFILL } },
        { &ei_msstun_att_truncated, { "msstun.att.truncated", PI_MALFORMED, PI_ERROR, "Truncated attribute", EXPFILL } },
        { &ei_msstun_att_bad_length, { "msstun.att.bad_length", PI_MALFORMED, PI_ERROR,
            "Attribute length is wrong for its type", EXPFILL } },
        { &ei_msstun_att_padding, { "msstun.att.padding.missing", PI_MALFORMED, PI_WARN, "Padding missing", EXPFILL } },
        { &ei_msstun_att_after_fp, { "msstun.att.after_fingerprint", PI_PROTOCOL, PI_WARN,
            "Attribute after FINGERPRINT (FINGERPRINT must be last)", EXPFILL } },
        { &ei_msstun_att_after_mi, { "msstun.att.after_integrity", PI_PROTOCOL, PI_WARN,
            "Attribute after MESSAGE-INTEGRITY other than FINGERPRINT (it is not covered by the HMAC)", EXPFILL } },
        { &ei_msstun_magic_cookie_value, { "msstun.att.magic_cookie.bad", PI_PROTOCOL, PI_WARN,
            "MAGIC-COOKIE has the wrong value", EXPFILL } },
        { &ei_msstun_magic_cookie_not_first, { "msstun.att.magic_cookie.not_first", PI_PROTOCOL, PI_WARN,
            "MAGIC-COOKIE is not the first attribute ([MS-TURN] 2.2.2.8)", EXPFILL } },
        { &ei_msstun_magic_cookie_missing, { "msstun.att.magic_cookie.missing", PI_PROTOCOL, PI_WARN,
            "MS-TURN message does not start with MAGIC-COOKIE; an MS-TURN server ignores it ([MS-TURN] 3.1.10)", EXPFILL } },
        { &ei_msstun_att_bad_family, { "msstun.att.family.bad", PI_MALFORMED, PI_ERROR, "Unknown address family", EXPFILL } },
        { &ei_msstun_framing_bad, { "msstun.framing.bad", PI_MALFORMED, PI_WARN,
            "Bytes do not fit the connection's framing", EXPFILL } },
        { &ei_msstun_framing_length, { "msstun.framing.length", PI_MALFORMED, PI_ERROR,
            "Frame length does not match the data", EXPFILL } },
        { &ei_msstun_channel_reserved, { "msstun.channel.reserved", PI_PROTOCOL, PI_NOTE,
            "Channel number 0x5000-0x7FFF is reserved since RFC 8656", EXPFILL } },
        { &ei_msstun_trailing, { "msstun.trailing", PI_MALFORMED, PI_WARN, "Trailing bytes", EXPFILL } },
        { &ei_msstun_retransmission, { "msstun.retransmission", PI_SEQUENCE, PI_NOTE, "Retransmission", EXPFILL } },
        { &ei_msstun_diag_auth_challenge, { "msstun.diag.auth_challenge", PI_RESPONSE_CODE, PI_CHAT,
            "401 challenge to a request without credentials (normal)", EXPFILL } },
        { &ei_msstun_diag_auth_failed, { "msstun.diag.auth_failed", PI_RESPONSE_CODE, PI_WARN,
            "Credentials rejected", EXPFILL } },
        { &ei_msstun_diag_stale_nonce, { "msstun.diag.stale_nonce", PI_RESPONSE_CODE, PI_NOTE,
            "Stale nonce, retried successfully", EXPFILL } },
        { &ei_msstun_diag_stale_nonce_failed, { "msstun.diag.stale_nonce.failed", PI_RESPONSE_CODE, PI_WARN,
            "Stale nonce without a successful retry", EXPFILL } },
        { &ei_msstun_diag_forbidden, { "msstun.diag.forbidden", PI_RESPONSE_CODE, PI_WARN, "Forbidden", EXPFILL } },
        { &ei_msstun_diag_alloc_mismatch, { "msstun.diag.allocation_mismatch", PI_RESPONSE_CODE, PI_WARN,
            "Allocation mismatch", EXPFILL } },
        { &ei_msstun_diag_quota, { "msstun.diag.quota", PI_RESPONSE_CODE, PI_WARN, "Allocation quota reached", EXPFILL } },
        { &ei_msstun_diag_capacity, { "msstun.diag.capacity", PI_RESPONSE_CODE, PI_WARN, "Insufficient capacity", EXPFILL } },
        { &ei_msstun_diag_try_alternate, { "msstun.diag.try_alternate", PI_RESPONSE_CODE, PI_NOTE,
            "Redirected to another server", EXPFILL } },
        { &ei_msstun_diag_unknown_attr, { "msstun.diag.unknown_attribute", PI_RESPONSE_CODE, PI_WARN,
            "Receiver does not understand an attribute", EXPFILL } },
        { &ei_msstun_diag_transport, { "msstun.diag.transport", PI_RESPONSE_CODE, PI_WARN,
            "Relay transport not supported", EXPFILL } },
        { &ei_msstun_diag_rfc6062, { "msstun.diag.rfc6062", PI_RESPONSE_CODE, PI_WARN,
            "RFC 6062 connection already exists", EXPFILL } },
        { &ei_msstun_diag_rfc6062_failed, { "msstun.diag.rfc6062.failed", PI_RESPONSE_CODE, PI_WARN,
            "RFC 6062 connection to the peer failed", EXPFILL } },
        { &ei_msstun_diag_role_conflict, { "msstun.diag.role_conflict", PI_RESPONSE_CODE, PI_NOTE,
            "ICE role conflict", EXPFILL } },
        { &ei_msstun_diag_error, { "msstun.diag.error", PI_RESPONSE_CODE, PI_WARN, "Error response", EXPFILL } },
        { &ei_msstun_ice_one_way, { "msstun.ice.one_way", PI_SEQUENCE, PI_WARN,
            "ICE pair works in one direction only", EXPFILL } },
        { &ei_msstun_ice_pair_failed, { "msstun.ice.pair_failed", PI_SEQUENCE, PI_WARN,
            "ICE pair never succeeded", EXPFILL } },
        { &ei_msstun_ice_session_failed, { "msstun.ice.session_failed", PI_SEQUENCE, PI_WARN,
            "No ICE candidate pair succeeded", EXPFILL } },
        { &ei_msstun_unanswered, { "msstun.expert.unanswered", PI_SEQUENCE, PI_WARN, "Request got no response", EXPFILL } },
        { &ei_msstun_trans_cap, { "msstun.expert.state_cap", PI_SEQUENCE, PI_NOTE,
            "State table full; later entries are not tracked", EXPFILL } },
        { &ei_msstun_att_value, { "msstun.att.value.bad", PI_PROTOCOL, PI_WARN, "Attribute value out of range", EXPFILL } },
        { &ei_msstun_rfc6062_unknown_cid, { "msstun.rfc6062.unknown_connection_id", PI_SEQUENCE, PI_WARN,
            "ConnectionBind with a CONNECTION-ID nobody announced", EXPFILL } },
        /* the verdicts of the media-path model: one per element that is not OK */
        { &ei_msstun_path_failed, { "msstun.diag.failed", PI_SEQUENCE, PI_ERROR,
            "This step of the media path failed", EXPFILL } },
        { &ei_msstun_path_warning, { "msstun.diag.warning", PI_SEQUENCE, PI_WARN,
            "This step of the media path did not go as it should", EXPFILL } },
        { &ei_msstun_path_event, { "msstun.diag.event", PI_SEQUENCE, PI_WARN,
            "A further problem of this step of the media path", EXPFILL } },
    };

    module_t *module;
    expert_module_t *expert;

    msstun_attr_table_init();
    proto_msstun = proto_register_protocol("MS-STUN/TURN/ICE (msstun plugin)", "MSSTUN", "msstun");
    proto_register_field_array(proto_msstun, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert = expert_register_protocol(proto_msstun);
    expert_register_field_array(expert, ei, array_length(ei));
    for (size_t i = 0; i < array_length(ei); i++)   /* what a message's own expert means for its element */
        msstun_path_expert_level(ei[i].ids, ei[i].eiinfo.severity, ei[i].eiinfo.summary);

    msstun_udp_handle = register_dissector_with_description("msstun-udp",
        "MS-STUN/TURN/ICE over UDP (msstun plugin)", dissect_msstun_udp, proto_msstun);
    msstun_udp_conv_handle = create_dissector_handle(dissect_msstun_udp_conv, proto_msstun);
    msstun_peer_leg_handle = create_dissector_handle(dissect_msstun_peer_leg, proto_msstun);
    msstun_tcp_handle = register_dissector_with_description("msstun-tcp",
        "MS-STUN/TURN/ICE over TCP (msstun plugin)", dissect_msstun_tcp, proto_msstun);
    msstun_heur_subdissectors = register_heur_dissector_list("msstun", proto_msstun);
    msstun_tap = register_tap("msstun");

    module = prefs_register_protocol(proto_msstun, NULL);
    prefs_register_bool_preference(module, "desegment",
        "Reassemble messages spanning multiple TCP segments",
        "Whether msstun reassembles STUN/TURN messages and RFC 4571 / MS-TURN frames that span TCP segments. "
        "To use this, \"Allow subdissectors to reassemble TCP streams\" must be on in the TCP preferences.",
        &msstun_pref_desegment);
    prefs_register_bool_preference(module, "rfc7983_demux",
        "Decode relayed payload by its first byte (RFC 7983)",
        "Hand relayed data (DATA, ChannelData, MS-TURN end-to-end data) starting with 128-191 to RTP/RTCP "
        "and 20-63 to DTLS, as TURN clients demultiplex it.",
        &msstun_pref_rfc7983_demux);
    prefs_register_uint_preference(module, "max_transactions",
        "Transactions tracked per conversation",
        "Requests beyond this number in one conversation are not matched to responses (bounds memory).",
        10, &msstun_pref_max_transactions);

    /* ---- integrity.c: credentials UAT, msstun.password, msstun.learn_sdp, MI fields ---- */
    msstun_integrity_register(module, proto_msstun);
    /* ---- tls.c: msstun.pseudotls preference, pseudo-TLS fields, TLS/DTLS handles ---- */
    msstun_tls_register(module, proto_msstun);

    register_init_routine(msstun_init);
    register_cleanup_routine(msstun_path_cleanup);
}

void
proto_reg_handoff_msstun(void)
{
    msstun_data_handle = find_dissector("data");
    msstun_rtp_handle = find_dissector_add_dependency("rtp", proto_msstun);
    msstun_rtcp_handle = find_dissector_add_dependency("rtcp", proto_msstun);
    msstun_dtls_handle = find_dissector_add_dependency("dtls", proto_msstun);

    /* Registered after the built-in, so msstun owns the STUN port while it is
     * enabled; 3479-3481 are the Teams / Skype for Business media relay ports
     * (MS-TURN and 0xFF10 multiplexed TURN there need no Decode As). What is
     * not STUN on them is returned to UDP/TCP (framing.c msstun_classify). */
    dissector_add_uint_range_with_preference("udp.port", MSSTUN_DEFAULT_PORTS, msstun_udp_handle);
    dissector_add_uint_range_with_preference("tcp.port", MSSTUN_DEFAULT_PORTS, msstun_tcp_handle);

    heur_dissector_add("udp", dissect_msstun_heur_udp, "MS-STUN/TURN over UDP", "msstun_udp", proto_msstun, HEURISTIC_ENABLE);
    heur_dissector_add("tcp", dissect_msstun_heur_tcp, "MS-STUN/TURN over TCP", "msstun_tcp", proto_msstun, HEURISTIC_ENABLE);
    /* ---- tls.c: TLS / DTLS (ALPN, tls.port, dtls.port, heuristics), [MS-TURN] pseudo-TLS ---- */
    msstun_tls_handoff();

    /* ---- integrity.c: learn ICE passwords from SDP ---- */
    msstun_integrity_handoff();
}

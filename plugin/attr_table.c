/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * attr_table.c - THE attribute table: one row per attribute type, sorted by
 * type. attrs.c walks a message and decodes each attribute from its row.
 *
 * Sources: RFC 3489, 5389, 8489, 5766, 8656, 6062, 5245/8445, 5780, 7635,
 * 7982, 6679, 8016; [MS-TURN] 2.2.2, [MS-TURNBWM] 2.2, [MS-ICE2] 2.2.2;
 * vendor code points as Wireshark's built-in dissector names them.
 *
 * [MS-TURN] re-uses three IETF code points with another meaning; those rows
 * live in msstun_msturn_overrides[] and win when the message is MS-TURN.
 */
#include "msstun.h"

#include <stddef.h>

/* Custom decoders (attrs.c) */
void msstun_dec_change_request(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_username(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_integrity(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_error_code(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_unknown_attrs(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_channel_number(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_magic_cookie(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_data(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_address_family(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_even_port(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_transport(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_pw_alg(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_padding_attr(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_userhash(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_use_candidate(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_response_port(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_connection_id(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_address_error(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_icmp(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_software(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_ttc(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_fingerprint(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_ice_role(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_ms_sequence(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_candidate_id(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_service_quality(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_bw_acm(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_bw_amount(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_site_response(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_location_profile(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_goog_network(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);
void msstun_dec_ms_opaque(msstun_msg_t *, const msstun_attr_def_t *, tvbuff_t *, int, int, proto_tree *, proto_item *);

#define ANY 0xFFFF
#define A(type, name, enc, flags, slot, min, max, hf, dec, spec) \
    { type, name, MSSTUN_ENC_##enc, flags, MSSTUN_ADDR_##slot, min, max, hf, dec, -1, -1, spec }
/* a string the Info column reads from msstun_msg_t (has: its flag, or -1) */
#define SFACT(type, name, flags, hf, field, spec) \
    { type, name, MSSTUN_ENC_STRING, (flags) | MSSTUN_AF_FACT, MSSTUN_ADDR_OTHER, 0, 0xFFFF, hf, NULL, \
      (gint16)offsetof(msstun_msg_t, field), -1, spec }
/* a string whose presence is the fact (its text only for the tree) */
#define SPRESENT(type, name, flags, hf, field, spec) \
    { type, name, MSSTUN_ENC_STRING, (flags) | MSSTUN_AF_FACT, MSSTUN_ADDR_OTHER, 0, 0xFFFF, hf, NULL, \
      -1, (gint16)offsetof(msstun_msg_t, has_##field), spec }
/* a 32-bit value the Info column and the trackers read from msstun_msg_t */
#define FACT(type, name, flags, hf, field, spec) \
    { type, name, MSSTUN_ENC_U32, (flags) | MSSTUN_AF_FACT, MSSTUN_ADDR_OTHER, 4, 4, hf, NULL, \
      (gint16)offsetof(msstun_msg_t, field), (gint16)offsetof(msstun_msg_t, has_##field), spec }
#define MS MSSTUN_AF_MS
#define DEP MSSTUN_AF_DEPRECATED
#define KEY MSSTUN_AF_FACT

/* Sorted by type: msstun_attr_lookup() bisects it. */
static const msstun_attr_def_t msstun_attrs[] = {
    A(0x0001, "MAPPED-ADDRESS",           ADDR,   0,   MAPPED,     8, 20, NULL, NULL, "RFC 5389 15.1; MS-TURN 2.2.2.1"),
    A(0x0002, "RESPONSE-ADDRESS",         ADDR,   DEP, OTHER,      8, 20, NULL, NULL, "RFC 3489 11.2.2"),
    A(0x0003, "CHANGE-REQUEST",           CUSTOM, 0,   OTHER,      4, 4,  NULL, msstun_dec_change_request, "RFC 5780 7.2"),
    A(0x0004, "SOURCE-ADDRESS",           ADDR,   DEP, OTHER,      8, 20, NULL, NULL, "RFC 3489 11.2.5"),
    A(0x0005, "CHANGED-ADDRESS",          ADDR,   DEP, OTHER,      8, 20, NULL, NULL, "RFC 3489 11.2.3"),
    A(0x0006, "USERNAME",                 CUSTOM, KEY, OTHER,      0, ANY, NULL, msstun_dec_username, "RFC 5389 15.3; MS-TURN 2.2.2.2"),
    A(0x0007, "PASSWORD",                 BYTES,  DEP, OTHER,      0, ANY, &hf_msstun_att_password, NULL, "RFC 3489 11.2.7"),
    A(0x0008, "MESSAGE-INTEGRITY",        CUSTOM, KEY, OTHER,      20, 32, NULL, msstun_dec_integrity, "RFC 5389 15.4; MS-TURN 2.2.2.3"),
    A(0x0009, "ERROR-CODE",               CUSTOM, KEY, OTHER,      4, ANY, NULL, msstun_dec_error_code, "RFC 5389 15.6; MS-TURN 2.2.2.4"),
    A(0x000A, "UNKNOWN-ATTRIBUTES",       CUSTOM, KEY, OTHER,      0, ANY, NULL, msstun_dec_unknown_attrs, "RFC 5389 15.9; MS-TURN 2.2.2.5"),
    A(0x000B, "REFLECTED-FROM",           ADDR,   DEP, OTHER,      8, 20, NULL, NULL, "RFC 3489 11.2.11"),
    A(0x000C, "CHANNEL-NUMBER",           CUSTOM, KEY, OTHER,      4, 4,  NULL, msstun_dec_channel_number, "RFC 8656 18.1"),
    FACT(0x000D, "LIFETIME", 0, &hf_msstun_att_lifetime, lifetime, "RFC 8656 18.2; MS-TURN 2.2.2.6"),
    A(0x000E, "ALTERNATE-SERVER (MS)",    ADDR,   MS,  ALTERNATE,  8, 20, NULL, NULL, "MS-TURN 2.2.2.7"),
    A(0x000F, "MAGIC-COOKIE",             CUSTOM, MS,  OTHER,      4, 4,  NULL, msstun_dec_magic_cookie, "MS-TURN 2.2.2.8"),
    A(0x0010, "BANDWIDTH",                U32,    MS,  OTHER,      4, 4,  &hf_msstun_att_bandwidth, NULL, "MS-TURN 2.2.2.9 (RFC 5766: reserved)"),
    A(0x0011, "DESTINATION-ADDRESS",      ADDR,   MS,  DESTINATION, 8, 20, NULL, NULL, "MS-TURN 2.2.2.10"),
    A(0x0012, "XOR-PEER-ADDRESS",         XADDR,  0,   PEER,       8, 20, NULL, NULL, "RFC 8656 18.3"),
    A(0x0013, "DATA",                     CUSTOM, KEY, OTHER,      0, ANY, NULL, msstun_dec_data, "RFC 8656 18.4; MS-TURN 2.2.2.12"),
    SFACT(0x0014, "REALM", 0, &hf_msstun_att_realm, realm, "RFC 5389 15.7"),
    SPRESENT(0x0015, "NONCE", 0, &hf_msstun_att_nonce, nonce, "RFC 5389 15.8"),
    A(0x0016, "XOR-RELAYED-ADDRESS",      XADDR,  0,   RELAYED,    8, 20, NULL, NULL, "RFC 8656 18.5"),
    A(0x0017, "REQUESTED-ADDRESS-FAMILY", CUSTOM, 0,   OTHER,      4, 4,  NULL, msstun_dec_address_family, "RFC 8656 18.6; MS-TURN 2.2.2.15"),
    A(0x0018, "EVEN-PORT",                CUSTOM, 0,   OTHER,      1, 4,  NULL, msstun_dec_even_port, "RFC 8656 18.7"),
    A(0x0019, "REQUESTED-TRANSPORT",      CUSTOM, KEY, OTHER,      4, 4,  NULL, msstun_dec_transport, "RFC 8656 18.8; RFC 6062 6.1"),
    A(0x001A, "DONT-FRAGMENT",            NONE,   0,   OTHER,      0, 0,  NULL, NULL, "RFC 8656 18.9"),
    A(0x001B, "ACCESS-TOKEN",             BYTES,  0,   OTHER,      0, ANY, &hf_msstun_att_access_token, NULL, "RFC 7635 6.2"),
    A(0x001C, "MESSAGE-INTEGRITY-SHA256", CUSTOM, KEY, OTHER,      16, 32, NULL, msstun_dec_integrity, "RFC 8489 14.6"),
    A(0x001D, "PASSWORD-ALGORITHM",       CUSTOM, 0,   OTHER,      4, ANY, NULL, msstun_dec_pw_alg, "RFC 8489 14.12"),
    A(0x001E, "USERHASH",                 CUSTOM, 0,   OTHER,      32, 32, NULL, msstun_dec_userhash, "RFC 8489 14.4"),
    A(0x0020, "XOR-MAPPED-ADDRESS",       XADDR,  0,   XOR_MAPPED, 8, 20, NULL, NULL, "RFC 5389 15.2; MS-ICE2 2.2.2"),
    A(0x0022, "RESERVATION-TOKEN",        BYTES,  0,   OTHER,      8, 8,  &hf_msstun_att_token, NULL, "RFC 8656 18.10"),
    FACT(0x0024, "PRIORITY", 0, &hf_msstun_att_priority, priority, "RFC 8445 7.1.1"),
    A(0x0025, "USE-CANDIDATE",            CUSTOM, KEY, OTHER,      0, 0,  NULL, msstun_dec_use_candidate, "RFC 8445 7.1.2"),
    A(0x0026, "PADDING",                  CUSTOM, 0,   OTHER,      0, ANY, NULL, msstun_dec_padding_attr, "RFC 5780 7.6"),
    A(0x0027, "RESPONSE-PORT",            CUSTOM, 0,   OTHER,      4, 4,  NULL, msstun_dec_response_port, "RFC 5780 7.5"),
    A(0x0028, "XOR-REFLECTED-FROM",       XADDR,  DEP, OTHER,      8, 20, NULL, NULL, "draft-ietf-behave-nat-behavior-discovery-03"),
    A(0x002A, "CONNECTION-ID",            CUSTOM, KEY, OTHER,      4, 4,  NULL, msstun_dec_connection_id, "RFC 6062 6.2.1"),
    A(0x0030, "ICMP (legacy)",            CUSTOM, DEP, OTHER,      8, 8,  NULL, msstun_dec_icmp, "TURN drafts"),
    A(0x8000, "ADDITIONAL-ADDRESS-FAMILY", CUSTOM, 0,  OTHER,      4, 4,  NULL, msstun_dec_address_family, "RFC 8656 18.11"),
    A(0x8001, "ADDRESS-ERROR-CODE",       CUSTOM, 0,   OTHER,      4, ANY, NULL, msstun_dec_address_error, "RFC 8656 18.12"),
    A(0x8002, "PASSWORD-ALGORITHMS",      CUSTOM, 0,   OTHER,      0, ANY, NULL, msstun_dec_pw_alg, "RFC 8489 14.11"),
    A(0x8003, "ALTERNATE-DOMAIN",         STRING, 0,   OTHER,      0, ANY, &hf_msstun_att_alternate_domain, NULL, "RFC 8489 14.16"),
    A(0x8004, "ICMP",                     CUSTOM, 0,   OTHER,      8, 8,  NULL, msstun_dec_icmp, "RFC 8656 18.13"),
    /* 0x8006, 0x8033, 0x8036: sent by Teams/Skype (protocol.md f.5), in no spec we have; a 4-byte value is shown as a number */
    A(0x8006, "MS-UNKNOWN-8006",          CUSTOM, MS,  OTHER,      0, ANY, NULL, msstun_dec_ms_opaque, "seen in MS-TURN captures"),
    FACT(0x8008, "MS-VERSION", MS, &hf_msstun_att_ms_version, ms_version, "MS-TURN 2.2.2.17"),
    A(0x8020, "XOR-MAPPED-ADDRESS (MS)",  XADDR,  MS,  XOR_MAPPED, 8, 20, NULL, NULL, "MS-TURN 2.2.2.16"),
    A(0x8022, "SOFTWARE",                 CUSTOM, 0,   OTHER,      0, ANY, &hf_msstun_att_software, msstun_dec_software, "RFC 5389 15.10"),
    A(0x8023, "ALTERNATE-SERVER",         ADDR,   0,   ALTERNATE,  8, 20, NULL, NULL, "RFC 5389 15.11"),
    A(0x8025, "TRANSACTION-TRANSMIT-COUNTER", CUSTOM, 0, OTHER,    4, 4,  NULL, msstun_dec_ttc, "RFC 7982 3"),
    A(0x8027, "CACHE-TIMEOUT",            U32,    0,   OTHER,      4, 4,  &hf_msstun_att_cache_timeout, NULL, "RFC 5780 7.7"),
    A(0x8028, "FINGERPRINT",              CUSTOM, MSSTUN_AF_LAST, OTHER, 4, 4, NULL, msstun_dec_fingerprint, "RFC 5389 15.5"),
    A(0x8029, "ICE-CONTROLLED",           CUSTOM, KEY, OTHER,      8, 8,  NULL, msstun_dec_ice_role, "RFC 8445 7.1.3"),
    A(0x802A, "ICE-CONTROLLING",          CUSTOM, KEY, OTHER,      8, 8,  NULL, msstun_dec_ice_role, "RFC 8445 7.1.3"),
    A(0x802B, "RESPONSE-ORIGIN",          ADDR,   0,   OTHER,      8, 20, NULL, NULL, "RFC 5780 7.3"),
    A(0x802C, "OTHER-ADDRESS",            ADDR,   0,   OTHER,      8, 20, NULL, NULL, "RFC 5780 7.4"),
    A(0x802D, "ECN-CHECK-STUN",           U32,    0,   OTHER,      4, 4,  &hf_msstun_att_ecn, NULL, "RFC 6679 7.2.2"),
    A(0x802E, "THIRD-PARTY-AUTHORIZATION", STRING, 0,  OTHER,      0, ANY, &hf_msstun_att_third_party_auth, NULL, "RFC 7635 6.1"),
    A(0x802F, "ORIGIN",                   STRING, 0,   OTHER,      0, ANY, &hf_msstun_att_origin, NULL, "draft-ietf-tram-stun-origin"),
    A(0x8030, "MOBILITY-TICKET",          BYTES,  0,   OTHER,      0, ANY, &hf_msstun_att_mobility_ticket, NULL, "RFC 8016 3.1"),
    A(0x8032, "MS-ALTERNATE-HOST-NAME",   STRING, MS,  OTHER,      0, ANY, &hf_msstun_att_alternate_domain, NULL, "MS-TURN 2.2.2 (MS-Alternate Host Name)"),
    A(0x8033, "MS-UNKNOWN-8033",          CUSTOM, MS,  OTHER,      0, ANY, NULL, msstun_dec_ms_opaque, "seen in Teams captures"),
    A(0x8036, "MS-UNKNOWN-8036",          CUSTOM, MS,  OTHER,      0, ANY, NULL, msstun_dec_ms_opaque, "seen in Teams captures"),
    /* [MS-TURN] 2.2.2 lists App ID and Secure Tag (notes <3>, <4>) without a layout; Teams sends 4 bytes */
    A(0x8037, "MS-APP-ID",                CUSTOM, MS,  OTHER,      0, ANY, NULL, msstun_dec_ms_opaque, "MS-TURN 2.2.2 (App ID)"),
    A(0x8039, "MS-SECURE-TAG",            CUSTOM, MS,  OTHER,      0, ANY, NULL, msstun_dec_ms_opaque, "MS-TURN 2.2.2 (Secure Tag)"),
    /* 24 bytes per the spec; Teams also sends the 4-byte sequence number alone (protocol.md f.5) */
    A(0x8050, "MS-SEQUENCE-NUMBER",       CUSTOM, MS,  OTHER,      4, 24, NULL, msstun_dec_ms_sequence, "MS-TURN 2.2.2.21"),
    A(0x8054, "CANDIDATE-IDENTIFIER",     CUSTOM, MS | KEY, OTHER,      0, ANY, NULL, msstun_dec_candidate_id, "MS-ICE2 2.2.2.1"),
    A(0x8055, "MS-SERVICE-QUALITY",       CUSTOM, MS,  OTHER,      4, 4,  NULL, msstun_dec_service_quality, "MS-TURN 2.2.2.22"),
    A(0x8056, "BANDWIDTH-ADMISSION-CONTROL-MESSAGE", CUSTOM, MS, OTHER, 4, 4, NULL, msstun_dec_bw_acm, "MS-TURNBWM 2.2.1"),
    A(0x8057, "BANDWIDTH-RESERVATION-IDENTIFIER", BYTES, MS, OTHER, 16, 16, &hf_msstun_att_bandwidth_rsv_id, NULL, "MS-TURNBWM 2.2.2"),
    A(0x8058, "BANDWIDTH-RESERVATION-AMOUNT", CUSTOM, MS, OTHER,   16, 16, NULL, msstun_dec_bw_amount, "MS-TURNBWM 2.2.3"),
    A(0x8059, "REMOTE-SITE-ADDRESS",      XADDR,  MS,  OTHER,      8, 20, NULL, NULL, "MS-TURNBWM 2.2.4"),
    A(0x805A, "REMOTE-RELAY-SITE-ADDRESS", XADDR, MS,  OTHER,      8, 20, NULL, NULL, "MS-TURNBWM 2.2.5"),
    A(0x805B, "LOCAL-SITE-ADDRESS",       XADDR,  MS,  OTHER,      8, 20, NULL, NULL, "MS-TURNBWM 2.2.6"),
    A(0x805C, "LOCAL-RELAY-SITE-ADDRESS", XADDR,  MS,  OTHER,      8, 20, NULL, NULL, "MS-TURNBWM 2.2.7"),
    A(0x805D, "REMOTE-SITE-ADDRESS-RESPONSE", CUSTOM, MS, OTHER,   12, 12, NULL, msstun_dec_site_response, "MS-TURNBWM 2.2.8"),
    A(0x805E, "REMOTE-RELAY-SITE-ADDRESS-RESPONSE", CUSTOM, MS, OTHER, 12, 12, NULL, msstun_dec_site_response, "MS-TURNBWM 2.2.9"),
    A(0x805F, "LOCAL-SITE-ADDRESS-RESPONSE", CUSTOM, MS, OTHER,    12, 12, NULL, msstun_dec_site_response, "MS-TURNBWM 2.2.10"),
    A(0x8060, "LOCAL-RELAY-SITE-ADDRESS-RESPONSE", CUSTOM, MS, OTHER, 12, 12, NULL, msstun_dec_site_response, "MS-TURNBWM 2.2.11"),
    A(0x8061, "SIP-DIALOG-IDENTIFIER",    BYTES,  MS,  OTHER,      0, ANY, &hf_msstun_att_sip_dialog_id, NULL, "MS-TURNBWM 2.2.12"),
    A(0x8062, "SIP-CALL-IDENTIFIER",      BYTES,  MS,  OTHER,      0, ANY, &hf_msstun_att_sip_call_id, NULL, "MS-TURNBWM 2.2.13"),
    A(0x8068, "LOCATION-PROFILE",         CUSTOM, MS,  OTHER,      4, 4,  NULL, msstun_dec_location_profile, "MS-TURNBWM 2.2.14"),
    FACT(0x8070, "IMPLEMENTATION-VERSION", MS, &hf_msstun_att_ms_version_ice, impl_version, "MS-ICE2 2.2.2.2"),
    A(0x8090, "MS-ALTERNATE-MAPPED-ADDRESS", ADDR, MS, OTHER,      8, 20, NULL, NULL, "MS-TURN 2.2.2.23"),
    A(0x8095, "MULTIPLEXED-TURN-SESSION-ID", U64, MS,  OTHER,      8, 8,  &hf_msstun_att_ms_multiplexed_turn_session_id, NULL, "MS-TURN 2.2.2.24"),
    A(0xC000, "CISCO-STUN-FLOWDATA",      BYTES,  0,   OTHER,      0, ANY, &hf_msstun_value, NULL, "Cisco"),
    A(0xC001, "ENF-FLOW-DESCRIPTION / NOMINATION", BYTES, 0, OTHER, 0, ANY, &hf_msstun_value, NULL, "Cisco / draft-thatcher-ice-renomination"),
    A(0xC002, "ENF-NETWORK-STATUS",       BYTES,  0,   OTHER,      0, ANY, &hf_msstun_value, NULL, "Cisco"),
    A(0xC057, "GOOG-NETWORK-INFO",        CUSTOM, 0,   OTHER,      4, ANY, NULL, msstun_dec_goog_network, "Google"),
    A(0xC058, "GOOG-LAST-ICE-CHECK-RECEIVED", BYTES, 0, OTHER,     0, ANY, &hf_msstun_att_goog_misc, NULL, "Google"),
    A(0xC059, "GOOG-MISC-INFO",           BYTES,  0,   OTHER,      0, ANY, &hf_msstun_att_goog_misc, NULL, "Google"),
    A(0xC05A, "GOOG-OBSOLETE-1",          BYTES,  0,   OTHER,      0, ANY, &hf_msstun_att_goog_misc, NULL, "Google"),
    A(0xC05B, "GOOG-CONNECTION-ID",       BYTES,  0,   OTHER,      0, ANY, &hf_msstun_att_goog_misc, NULL, "Google"),
    A(0xC05C, "GOOG-DELTA",               BYTES,  0,   OTHER,      0, ANY, &hf_msstun_att_goog_misc, NULL, "Google"),
    A(0xC05D, "GOOG-DELTA-ACK",           BYTES,  0,   OTHER,      0, ANY, &hf_msstun_att_goog_misc, NULL, "Google"),
    A(0xC05E, "GOOG-DELTA-SYNC-REQ",      BYTES,  0,   OTHER,      0, ANY, &hf_msstun_att_goog_misc, NULL, "Google"),
    A(0xC060, "GOOG-MESSAGE-INTEGRITY-32", BYTES, 0,   OTHER,      0, ANY, &hf_msstun_att_goog_misc, NULL, "Google"),
    A(0xFF04, "GOOG-MULTI-MAPPING",       BYTES,  0,   OTHER,      0, ANY, &hf_msstun_att_goog_misc, NULL, "Google"),
    A(0xFF05, "GOOG-LOGGING-ID",          BYTES,  0,   OTHER,      0, ANY, &hf_msstun_att_goog_misc, NULL, "Google"),
};

/* [MS-TURN] 2.2.2: same code point, other meaning. Sorted by type. */
static const msstun_attr_def_t msstun_msturn_overrides[] = {
    /* MS-TURN 2.2.2.11: the peer address in a Data Indication is NOT XORed */
    A(0x0012, "REMOTE-ADDRESS",           ADDR,   MS,  PEER,       8, 20, NULL, NULL, "MS-TURN 2.2.2.11"),
    /* MS-TURN numbers NONCE and REALM the other way round from RFC 5389 */
    SPRESENT(0x0014, "NONCE (MS)", MS, &hf_msstun_att_nonce, nonce, "MS-TURN 2.2.2.13"),
    SFACT(0x0015, "REALM (MS)", MS, &hf_msstun_att_realm, realm, "MS-TURN 2.2.2.14"),
};

static const msstun_attr_def_t *
bisect(const msstun_attr_def_t *rows, size_t n, guint16 type)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (rows[mid].type == type)
            return &rows[mid];
        if (rows[mid].type < type)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Every attribute of every message is looked up: the two dense ranges
 * (0x0000-0x00FF, 0x8000-0x80FF) index straight into the rows. */
static const msstun_attr_def_t *msstun_attr_index[2][256];

const msstun_attr_def_t *
msstun_attr_lookup(guint16 type, guint8 format)
{
    if (format == MSSTUN_FMT_MSTURN) {
        const msstun_attr_def_t *o = bisect(msstun_msturn_overrides, G_N_ELEMENTS(msstun_msturn_overrides), type);
        if (o)
            return o;
    }
    if ((type & 0x7F00) == 0)
        return msstun_attr_index[type >> 15][type & 0xFF];
    return bisect(msstun_attrs, G_N_ELEMENTS(msstun_attrs), type);
}

/* The names for msstun.att.type come from the same rows. Built once. */
static value_string msstun_attr_names[G_N_ELEMENTS(msstun_attrs) + 1];
value_string_ext msstun_attr_names_ext = VALUE_STRING_EXT_INIT(msstun_attr_names);
/* the same with [MS-TURN]'s names where they differ (msstun.att.type in MS-TURN messages) */
static value_string msstun_ms_attr_names[G_N_ELEMENTS(msstun_attrs) + 1];
value_string_ext msstun_ms_attr_names_ext = VALUE_STRING_EXT_INIT(msstun_ms_attr_names);

void msstun_attr_table_init(void);
void
msstun_attr_table_init(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(msstun_attrs); i++) {
        guint16 t = msstun_attrs[i].type;
        msstun_attr_names[i].value = t;
        msstun_attr_names[i].strptr = msstun_attrs[i].name;
        if ((t & 0x7F00) == 0)
            msstun_attr_index[t >> 15][t & 0xFF] = &msstun_attrs[i];
    }
    msstun_attr_names[G_N_ELEMENTS(msstun_attrs)].value = 0;
    msstun_attr_names[G_N_ELEMENTS(msstun_attrs)].strptr = NULL;
    for (size_t i = 0; i <= G_N_ELEMENTS(msstun_attrs); i++) {
        const msstun_attr_def_t *o = i < G_N_ELEMENTS(msstun_attrs) ?
            bisect(msstun_msturn_overrides, G_N_ELEMENTS(msstun_msturn_overrides), msstun_attrs[i].type) : NULL;
        msstun_ms_attr_names[i] = msstun_attr_names[i];
        if (o)
            msstun_ms_attr_names[i].strptr = o->name;
    }
}

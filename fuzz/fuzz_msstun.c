/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * fuzz_msstun.c - libFuzzer harness for the msstun dissector, driven through
 * libwireshark 4.0 the way tshark drives it.
 *
 * The plugin's sources (plugin/[*].c except plugin.c) are compiled into this
 * binary and registered with proto_register_plugin() before epan_init(), so
 * no msstun.so is loaded (epan_init runs with load_plugins = FALSE and the
 * installed plugins are ignored).
 *
 * One fuzz input is a small capture: a sequence of records
 *
 *     ctrl (1 byte) | length (2 bytes, big-endian) | payload (length bytes)
 *
 * (a short last record takes whatever bytes remain). Each record becomes one
 * frame of encapsulation WTAP_ENCAP_RAW_IP: an IPv4 header and a UDP or TCP
 * header built here around the payload. ctrl selects:
 *
 *     bit 0     0 = UDP, 1 = TCP (PSH|ACK, sequence numbers kept per direction)
 *     bit 1     0 = client -> server, 1 = server -> client
 *     bits 2-3  which of 4 clients (10.0.0.1-4, source port 50000+n)
 *     bit 4     server port: 0 = 3478 (msstun's port), 1 = 50999 (heuristics)
 *     bit 5     TCP: do not advance the sequence number (retransmission)
 *     bit 6     server port 443: the [MS-TURN] pseudo-TLS detector in front of
 *               TLS (tls.c), then TLS or [MS-TURN] 2.1.4 framing
 *     bit 7     server port 5349: the payload is the plaintext of TLS (TCP) or
 *               DTLS (UDP) application data, handed to msstun's TLS/DTLS
 *               heuristics and entry points as TLS/DTLS would after
 *               decrypting (a harness-only shim, see tls_shim(); tshark
 *               shows such a pcap as TLS/DTLS records)
 * (bit 7 wins over bit 6, bit 6 over bit 4)
 *
 * Every input is dissected in two passes like tshark -2: the first builds
 * the plugin's state, the second re-dissects every frame with the frame
 * marked visited. fuzz/to_pcap.py turns an input into the identical pcap for
 * tshark.
 *
 * Per input the harness resets what Wireshark's fuzzshark resets: the packet
 * scope (epan_dissect_reset after each frame), with one epan session kept
 * across inputs and frame numbers that keep counting up. Creating an epan
 * session runs every dissector's init routine and every reassembly table's
 * setup (tens of ms under ASan), so a fresh session per input ran at ~20
 * inputs/s. To keep inputs apart inside one session, input k of the session
 * uses its own addresses (10.k/8.k%256.1-4 and .100; k = 0 gives the
 * 10.0.0.x of fuzz/to_pcap.py), so no conversation, TCP stream or
 * reassembly is shared. State keyed on the payload alone (transaction IDs,
 * ICE ufrags, CONNECTION-IDs) can still link inputs of one session. The
 * session, and with it the whole file scope, is replaced every
 * FUZZ_MSSTUN_SESSION_INPUTS inputs (default 512), which bounds memory and
 * the state an input can meet; FUZZ_MSSTUN_SESSION_INPUTS=1 gives every input
 * a fresh session (reproducing a crash file: it then runs exactly as the
 * pcap from fuzz/to_pcap.py in tshark).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <ws_version.h>
#include <epan/epan.h>
#include <epan/epan_dissect.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/column.h>
#include <epan/column-info.h>
#include <epan/proto.h>
#include <epan/tvbuff.h>
#include <epan/frame_data.h>
#include <epan/timestamp.h>
#include <wiretap/wtap.h>
#include <wsutil/privileges.h>
#include <wsutil/filesystem.h>
#include <wsutil/wslog.h>

void proto_register_msstun(void);
void proto_reg_handoff_msstun(void);

#define MAX_RECORDS   64
#define IP_HDR_LEN    20
#define UDP_HDR_LEN   8
#define TCP_HDR_LEN   20
#define SERVER_PORT   3478
#define ALT_PORT      50999
#define PTLS_PORT     443
#define TLS_PORT      5349
#define MAX_PAYLOAD   (65535 - IP_HDR_LEN - TCP_HDR_LEN)

/* the frames of one input; also the packet provider's data */
struct packet_provider_data {
    guint       n;
    frame_data  fd[MAX_RECORDS];
    wtap_rec    rec[MAX_RECORDS];
    guint8     *pkt[MAX_RECORDS];
    guint       pkt_len[MAX_RECORDS];
};

static struct packet_provider_data frames;
static guint32 frame_base;           /* frames of earlier inputs in this session */
static guint session_inputs = 512;   /* FUZZ_MSSTUN_SESSION_INPUTS */
static guint session_used;           /* inputs dissected in the current session */
static guint64 inputs_total;         /* for FUZZ_MSSTUN_PROGRESS */
static gint64 progress_us, progress_t0, progress_last;
static guint64 progress_last_n;
static epan_t *session;
static epan_dissect_t *edt;
static column_info fuzz_cinfo;
static e_prefs *fuzz_prefs;
static int proto_msstun_id = -1;
static gboolean verbose;   /* FUZZ_MSSTUN_VERBOSE=1: print each frame's columns */

static const nstime_t *
get_frame_ts(struct packet_provider_data *prov, guint32 frame_num)
{
    if (frame_num > frame_base && frame_num <= frame_base + prov->n)
        return &prov->rec[frame_num - frame_base - 1].ts;
    return NULL;
}

static guint16
ip_checksum(const guint8 *p, int len)
{
    guint32 sum = 0;
    for (int i = 0; i + 1 < len; i += 2)
        sum += (guint32)p[i] << 8 | p[i + 1];
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (guint16)~sum;
}

static void
put16(guint8 *p, guint16 v)
{
    p[0] = (guint8)(v >> 8);
    p[1] = (guint8)v;
}

static void
put32(guint8 *p, guint32 v)
{
    put16(p, (guint16)(v >> 16));
    put16(p + 2, (guint16)v);
}

/* IPv4 + UDP/TCP around the payload; keep in step with fuzz/to_pcap.py
 * (which builds net 0). net: the input's number in its session. */
static guint8 *
build_packet(guint8 ctrl, const guint8 *payload, guint len, guint32 seq[4][2], guint net, guint *out_len)
{
    gboolean tcp = ctrl & 0x01, reply = (ctrl & 0x02) != 0;
    guint client = (ctrl >> 2) & 3;
    guint16 cport = (guint16)(50000 + client);
    guint16 sport = (ctrl & 0x80) ? TLS_PORT : (ctrl & 0x40) ? PTLS_PORT : (ctrl & 0x10) ? ALT_PORT : SERVER_PORT;
    guint l4 = tcp ? TCP_HDR_LEN : UDP_HDR_LEN;
    guint total = IP_HDR_LEN + l4 + len;
    guint8 *p = (guint8 *)g_malloc0(total);
    guint8 caddr[4] = { 10, (guint8)(net >> 8), (guint8)net, (guint8)(1 + client) };
    guint8 saddr[4] = { 10, (guint8)(net >> 8), (guint8)net, 100 };
    guint8 *t = p + IP_HDR_LEN;

    p[0] = 0x45;
    put16(p + 2, (guint16)total);
    put16(p + 4, 1);                     /* identification */
    p[6] = 0x40;                         /* DF */
    p[8] = 64;
    p[9] = tcp ? 6 : 17;
    memcpy(p + 12, reply ? saddr : caddr, 4);
    memcpy(p + 16, reply ? caddr : saddr, 4);
    put16(p + 10, ip_checksum(p, IP_HDR_LEN));

    put16(t, reply ? sport : cport);
    put16(t + 2, reply ? cport : sport);
    if (tcp) {
        guint32 *mine = &seq[client][reply], *theirs = &seq[client][!reply];
        put32(t + 4, *mine);
        put32(t + 8, *theirs);
        t[12] = 0x50;                    /* data offset 5 */
        t[13] = 0x18;                    /* PSH|ACK */
        put16(t + 14, 65535);
        if (!(ctrl & 0x20))
            *mine += len;
    } else {
        put16(t + 4, (guint16)(UDP_HDR_LEN + len));
    }
    memcpy(t + l4, payload, len);
    *out_len = total;
    return p;
}

/* Bit 7: decrypted TLS / DTLS application data. The TLS/DTLS heuristic
 * lists run first (msstun's own entries among them), then msstun's
 * application-data entries, as TLS does for an ALPN or tls.port session. */
static heur_dissector_list_t tls_heur, dtls_heur;
static dissector_handle_t msstun_tls_entry, msstun_dtls_entry;

static int
tls_shim(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    gboolean tcp = pinfo->ptype == PT_TCP;
    heur_dtbl_entry_t *hdtbl_entry;
    dissector_handle_t app_handle = NULL;

    /* TLS gives its heuristics the session's application handle to set (a
     * heuristic that wants the session writes it), DTLS gives them nothing */
    if (dissector_try_heuristic(tcp ? tls_heur : dtls_heur, tvb, pinfo, tree, &hdtbl_entry,
                                tcp ? (void *)&app_handle : NULL))
        return tvb_captured_length(tvb);
    return call_dissector(tcp ? msstun_tls_entry : msstun_dtls_entry, tvb, pinfo, tree);
}

static void
tls_shim_handoff(void)
{
    int proto = proto_register_protocol("msstun fuzz TLS/DTLS plaintext shim", "fuzz-tls", "msstun_fuzz_tls");
    dissector_handle_t h = create_dissector_handle(tls_shim, proto);

    tls_heur = find_heur_dissector_list("tls");
    dtls_heur = find_heur_dissector_list("dtls");
    msstun_tls_entry = find_dissector("msstun-tls");
    msstun_dtls_entry = find_dissector("msstun-dtls");
    if (!tls_heur || !dtls_heur || !msstun_tls_entry || !msstun_dtls_entry) {
        fprintf(stderr, "fuzz_msstun: TLS/DTLS entries missing\n");
        exit(2);
    }
    dissector_add_uint("tcp.port", TLS_PORT, h);
    dissector_add_uint("udp.port", TLS_PORT, h);
}

static void
run_pass(gboolean second)
{
    const frame_data *ref = NULL, *prev = NULL;
    nstime_t elapsed = NSTIME_INIT_ZERO;

    for (guint i = 0; i < frames.n; i++) {
        frame_data *fd = &frames.fd[i];
        tvbuff_t *tvb = tvb_new_real_data(frames.pkt[i], frames.pkt_len[i], frames.pkt_len[i]);

        if (!second)
            frame_data_set_before_dissect(fd, &elapsed, &ref, prev);
        epan_dissect_run(edt, WTAP_FILE_TYPE_SUBTYPE_UNKNOWN, &frames.rec[i], tvb, fd, &fuzz_cinfo);
        epan_dissect_fill_in_columns(edt, FALSE, TRUE);
        if (verbose) {
            GPtrArray *hits = proto_find_first_finfo(edt->tree, proto_msstun_id);
            fprintf(stderr, "pass %d%s", second ? 2 : 1, hits && hits->len ? " msstun" : "");
            if (hits)
                g_ptr_array_free(hits, TRUE);
            for (int c = 0; c < fuzz_cinfo.num_cols; c++)
                fprintf(stderr, " | %s", fuzz_cinfo.columns[c].col_data ? fuzz_cinfo.columns[c].col_data : "");
            fputc('\n', stderr);
        }
        if (!second) {
            guint32 cum = 0;
            frame_data_set_after_dissect(fd, &cum);
        }
        prev = fd;
        epan_dissect_reset(edt);
    }
}

static void
session_open(void)
{
    static const struct packet_provider_funcs funcs = { get_frame_ts, NULL, NULL, NULL };

    session = epan_new(&frames, &funcs);
    edt = epan_dissect_new(session, TRUE, TRUE);
    frame_base = 0;
    session_used = 0;
}

static void
session_close(void)
{
    epan_dissect_free(edt);
    epan_free(session);
    edt = NULL;
    session = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t size);
int
LLVMFuzzerTestOneInput(const uint8_t *buf, size_t size)
{
    guint32 seq[4][2];
    size_t off = 0;

    if (session_used >= session_inputs)
        session_close();
    if (!session)
        session_open();
    memset(&frames, 0, sizeof frames);
    for (int c = 0; c < 4; c++) {
        seq[c][0] = 1000 + 0x10000 * c;
        seq[c][1] = 9000000 + 0x10000 * c;
    }
    while (off < size && frames.n < MAX_RECORDS) {
        guint8 ctrl = buf[off++];
        guint len = 0;
        guint i = frames.n;
        wtap_rec *rec = &frames.rec[i];

        if (off + 2 <= size)
            len = (guint)buf[off] << 8 | buf[off + 1];
        off = MIN(off + 2, size);
        len = MIN(len, (guint)(size - off));
        len = MIN(len, (guint)MAX_PAYLOAD);
        frames.pkt[i] = build_packet(ctrl, buf + off, len, seq, session_used, &frames.pkt_len[i]);
        off += len;

        wtap_rec_init(rec);
        rec->rec_type = REC_TYPE_PACKET;
        rec->presence_flags = WTAP_HAS_TS | WTAP_HAS_CAP_LEN;
        rec->tsprec = WTAP_TSPREC_USEC;
        rec->ts.secs = 1700000000 + i;
        rec->ts.nsecs = 1000 * (int)i;
        rec->rec_header.packet_header.caplen = frames.pkt_len[i];
        rec->rec_header.packet_header.len = frames.pkt_len[i];
        rec->rec_header.packet_header.pkt_encap = WTAP_ENCAP_RAW_IP;
        frame_data_init(&frames.fd[i], frame_base + i + 1, rec, (gint64)off, 0);
        frames.n++;
    }

    run_pass(FALSE);
    run_pass(TRUE);
    frame_base += frames.n;
    session_used++;
    inputs_total++;
    if (progress_us && (inputs_total & 63) == 0) {
        gint64 now = g_get_monotonic_time();
        if (now - progress_last >= progress_us) {
            /* inputs so far, seconds, inputs/s since the last line and overall */
            fprintf(stderr, "fuzz_msstun: %" G_GUINT64_FORMAT " inputs in %.0f s, %.0f/s now, %.0f/s overall\n",
                    inputs_total, (now - progress_t0) / 1e6,
                    (inputs_total - progress_last_n) * 1e6 / (double)(now - progress_last),
                    inputs_total * 1e6 / (double)(now - progress_t0));
            progress_last = now;
            progress_last_n = inputs_total;
        }
    }

    for (guint i = 0; i < frames.n; i++) {
        frame_data_destroy(&frames.fd[i]);
        wtap_rec_cleanup(&frames.rec[i]);
        g_free(frames.pkt[i]);
    }
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int
LLVMFuzzerInitialize(int *argc _U_, char ***argv)
{
    static proto_plugin msstun_plugin;
    char *err;

    /* no user or global profile: a private, empty configuration */
    g_setenv("XDG_CONFIG_HOME", "/nonexistent/msstun-fuzz", TRUE);
    g_setenv("WIRESHARK_CONFIG_DIR", "/nonexistent/msstun-fuzz", TRUE);
    /* no data files: every epan session would re-read manuf, services,
     * enterprises (seconds per input under ASan); Lua stays off too */
    if (!getenv("WIRESHARK_DATA_DIR")) {
        char *empty = g_build_filename(g_get_tmp_dir(), "fuzz_msstun-empty-datadir", NULL);
        g_mkdir_with_parents(empty, 0700);
        g_setenv("WIRESHARK_DATA_DIR", empty, TRUE);
        g_free(empty);
    }
    /* every wmem allocation its own malloc, so ASan sees it, with canaries
     * checked on free ("strict"). Not "simple": its free searches a list of
     * every live allocation of the scope, and the epan scope keeps growing
     * with each new session (a 5x slowdown over a run). */
    g_setenv("WIRESHARK_DEBUG_WMEM_OVERRIDE", "strict", FALSE);
    if (getenv("FUZZ_MSSTUN_SESSION_INPUTS"))
        session_inputs = MAX(1, (guint)strtoul(getenv("FUZZ_MSSTUN_SESSION_INPUTS"), NULL, 10));
    session_inputs = MIN(session_inputs, 65536);   /* one 10.x.y.0/24 per input */
    g_setenv("G_SLICE", "always-malloc", FALSE);

    verbose = getenv("FUZZ_MSSTUN_VERBOSE") != NULL;
    /* FUZZ_MSSTUN_PROGRESS=N: a line on stderr every N seconds (inputs, rate) */
    if (getenv("FUZZ_MSSTUN_PROGRESS"))
        progress_us = (gint64)strtoul(getenv("FUZZ_MSSTUN_PROGRESS"), NULL, 10) * 1000000;
    progress_t0 = progress_last = g_get_monotonic_time();
    g_set_prgname("fuzz_msstun");
    ws_log_init("fuzz_msstun", NULL);
    ws_log_set_level(LOG_LEVEL_CRITICAL);
    init_process_policies();
    err = configuration_init((*argv)[0], NULL);
    g_free(err);
    timestamp_set_type(TS_RELATIVE);
    timestamp_set_precision(TS_PREC_AUTO);
    timestamp_set_seconds_type(TS_SECONDS_DEFAULT);

    wtap_init(FALSE);
    msstun_plugin.register_protoinfo = proto_register_msstun;
    msstun_plugin.register_handoff = proto_reg_handoff_msstun;
    proto_register_plugin(&msstun_plugin);
    if (!epan_init(NULL, NULL, FALSE)) {
        fprintf(stderr, "fuzz_msstun: epan_init failed\n");
        exit(2);
    }
    tls_shim_handoff();
    fuzz_prefs = epan_load_settings();
    prefs_apply_all();
    build_column_format_array(&fuzz_cinfo, fuzz_prefs->num_cols, TRUE);
    proto_msstun_id = proto_get_id_by_filter_name("msstun");
    if (proto_msstun_id < 0) {
        fprintf(stderr, "fuzz_msstun: msstun did not register\n");
        exit(2);
    }
    return 0;
}

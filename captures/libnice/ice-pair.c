// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ice-pair.c - run two libnice agents (controlling "L" and controlled "R")
 * against each other inside one process, so that a real ICE session of
 * libnice can be captured on the loopback interface.
 *
 * Part of msstun's capture tooling (captures/libnice/make-captures.sh and
 * captures/tls/make-libnice.sh).
 * Candidates and credentials are exchanged in memory; only the address
 * given with --bind is used for host candidates.
 *
 * Usage:
 *   ice-pair [--compat rfc5245|oc2007r2|oc2007|google] [--transport udp|tcp]
 *            [--bind 127.0.0.1] [--port-l N] [--port-r N]
 *            [--timeout SECONDS] [--packets N]
 *            [--relay HOST:PORT --relay-user U --relay-pass P]
 *            [--relay-type udp|tcp|tls]
 *            [--gather-only] [--random-creds]
 *            [--lite-r] [--regular] [--bind-r2 ADDR] [--linger MS]
 *            [--remote-peer]
 *
 * --remote-peer runs only the controlling agent L; R is another program
 * (ice-lite-peer/, an ICE-lite agent) with R's fixed credentials and one UDP
 * host candidate at --bind:--port-r, which L is given without any exchange.
 * --lite-r makes the controlled agent R an ICE-lite agent
 * (NICE_AGENT_OPTION_LITE_MODE); --regular gives both agents regular
 * nomination (NICE_AGENT_OPTION_REGULAR_NOMINATION) instead of libnice's
 * default aggressive nomination; --bind-r2 gives R a second host address;
 * --linger keeps the main loop running MS milliseconds after the streams are
 * removed, so that libnice's TURN deallocation (an Allocate or Refresh with
 * LIFETIME 0) and its response reach the wire.
 * --relay gives the controlling agent (only) a TURN server, over UDP unless
 * --relay-type says tcp or tls (NICE_RELAY_TYPE_TURN_TLS: in OC2007 and
 * OC2007R2 modes libnice then opens TCP with its pseudo-TLS handshake).
 * --random-creds keeps libnice's random ufrag/pwd and does not seed GLib's
 * random generator (see main()).
 *
 * Exit status: 0 when both components reached READY and all payloads were
 * received, 2 when the session failed or timed out, 1 on usage errors.
 */

#include <nice/agent.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fixed credentials, so captures are reproducible credentials-wise. */
#define UFRAG_L "msstunLufrag"
#define PWD_L   "msstunLpasswordLLLLLLLL"
#define UFRAG_R "msstunRufrag"
#define PWD_R   "msstunRpasswordRRRRRRRR"

typedef struct {
  const char *name;        /* "L" (controlling) or "R" (controlled) */
  NiceAgent *agent;
  guint stream;
  gboolean gathered;
  NiceComponentState state;
  gboolean ready;
  guint received;
  guint sent;
  struct Session *session;
} Peer;

typedef struct Session {
  GMainLoop *loop;
  Peer l, r;
  gboolean exchanged;
  gboolean sending;
  gboolean failed;
  gboolean gather_only;
  guint packets;
  guint send_round;
  int exit_code;
} Session;

static const char *opt_compat = "rfc5245";
static const char *opt_transport = "udp";
static const char *opt_bind = "127.0.0.1";
static guint opt_port_l = 0, opt_port_r = 0;
static guint opt_timeout = 10;
static guint opt_packets = 3;
static const char *opt_relay = NULL;
static const char *opt_relay_user = "msstun";
static const char *opt_relay_pass = "msstunpass";
static const char *opt_relay_type = "udp";
static gboolean opt_gather_only = FALSE;
static gboolean opt_random_creds = FALSE;
static gboolean opt_lite_r = FALSE;
static gboolean opt_regular = FALSE;
static const char *opt_bind_r2 = NULL;
static guint opt_linger = 0;
static gboolean opt_remote_peer = FALSE;

static const char *
state_name (NiceComponentState s)
{
  switch (s) {
    case NICE_COMPONENT_STATE_DISCONNECTED: return "disconnected";
    case NICE_COMPONENT_STATE_GATHERING: return "gathering";
    case NICE_COMPONENT_STATE_CONNECTING: return "connecting";
    case NICE_COMPONENT_STATE_CONNECTED: return "connected";
    case NICE_COMPONENT_STATE_READY: return "ready";
    case NICE_COMPONENT_STATE_FAILED: return "failed";
    default: return "?";
  }
}

static const char *
cand_type_name (NiceCandidateType t)
{
  switch (t) {
    case NICE_CANDIDATE_TYPE_HOST: return "host";
    case NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE: return "srflx";
    case NICE_CANDIDATE_TYPE_PEER_REFLEXIVE: return "prflx";
    case NICE_CANDIDATE_TYPE_RELAYED: return "relay";
    default: return "?";
  }
}

static const char *
cand_transport_name (NiceCandidateTransport t)
{
  switch (t) {
    case NICE_CANDIDATE_TRANSPORT_UDP: return "udp";
    case NICE_CANDIDATE_TRANSPORT_TCP_ACTIVE: return "tcp-active";
    case NICE_CANDIDATE_TRANSPORT_TCP_PASSIVE: return "tcp-passive";
    case NICE_CANDIDATE_TRANSPORT_TCP_SO: return "tcp-so";
    default: return "?";
  }
}

static void
print_candidates (Peer *p, GSList *cands)
{
  for (GSList *i = cands; i; i = i->next) {
    NiceCandidate *c = i->data;
    gchar ip[NICE_ADDRESS_STRING_LEN];
    nice_address_to_string (&c->addr, ip);
    printf ("candidate %s: %s %s %s:%u prio=%u foundation=%s username=%s "
        "password=%s\n", p->name, cand_type_name (c->type),
        cand_transport_name (c->transport), ip, nice_address_get_port (&c->addr),
        c->priority, c->foundation, c->username ? c->username : "-",
        c->password ? c->password : "-");
  }
}

static void
exchange (Session *s)
{
  Peer *peers[2] = { &s->l, &s->r };

  for (int k = 0; k < 2; k++) {
    Peer *from = peers[k], *to = peers[1 - k];
    gchar *ufrag = NULL, *pwd = NULL;
    GSList *cands;

    if (!nice_agent_get_local_credentials (from->agent, from->stream,
            &ufrag, &pwd)) {
      fprintf (stderr, "get_local_credentials failed for %s\n", from->name);
      s->failed = TRUE;
      return;
    }
    printf ("credentials %s (%s): ufrag=%s pwd=%s\n", from->name,
        from == &s->l ? "controlling" : "controlled", ufrag, pwd);
    nice_agent_set_remote_credentials (to->agent, to->stream, ufrag, pwd);
    g_free (ufrag);
    g_free (pwd);

    cands = nice_agent_get_local_candidates (from->agent, from->stream, 1);
    print_candidates (from, cands);
    if (!s->gather_only) {
      int n = nice_agent_set_remote_candidates (to->agent, to->stream, 1,
          cands);
      if (n < 0)
        fprintf (stderr, "set_remote_candidates on %s failed\n", to->name);
    }
    g_slist_free_full (cands, (GDestroyNotify) nice_candidate_free);
  }
  fflush (stdout);
  if (s->gather_only)
    g_main_loop_quit (s->loop);
}

/* --remote-peer: tell L about the external agent R (fixed values). */
static void
exchange_remote (Session *s)
{
  NiceCandidate *c = nice_candidate_new (NICE_CANDIDATE_TYPE_HOST);
  GSList *l;

  nice_agent_set_remote_credentials (s->l.agent, s->l.stream, UFRAG_R, PWD_R);
  c->component_id = 1;
  c->stream_id = s->l.stream;
  c->transport = NICE_CANDIDATE_TRANSPORT_UDP;
  c->priority = 2015363327u;
  g_strlcpy (c->foundation, "1", sizeof c->foundation);
  nice_address_set_from_string (&c->addr, opt_bind);
  nice_address_set_port (&c->addr, opt_port_r);
  l = g_slist_append (NULL, c);
  if (nice_agent_set_remote_candidates (s->l.agent, s->l.stream, 1, l) < 0)
    fprintf (stderr, "set_remote_candidates on L failed\n");
  printf ("remote peer R (external): ufrag=%s pwd=%s candidate host udp "
      "%s:%u\n", UFRAG_R, PWD_R, opt_bind, opt_port_r);
  g_slist_free_full (l, (GDestroyNotify) nice_candidate_free);
  fflush (stdout);
}

static void
on_gathering_done (NiceAgent *agent, guint stream, gpointer data)
{
  Peer *p = data;
  Session *s = p->session;

  (void) agent;
  (void) stream;
  printf ("gathering done: %s\n", p->name);
  p->gathered = TRUE;
  if (opt_remote_peer && !s->exchanged) {
    s->exchanged = TRUE;
    exchange_remote (s);
    return;
  }
  if (s->l.gathered && s->r.gathered && !s->exchanged) {
    s->exchanged = TRUE;
    exchange (s);
  }
}

static gboolean
quit_cb (gpointer data)
{
  Session *s = data;
  g_main_loop_quit (s->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
send_cb (gpointer data)
{
  Session *s = data;
  Peer *peers[2] = { &s->l, &s->r };

  for (int k = 0; k < (opt_remote_peer ? 1 : 2); k++) {
    Peer *p = peers[k];
    /* 12-byte fake RTP header: V=2, PT=0, seq, timestamp, SSRC. */
    guint8 rtp[12];
    guint16 seq = (guint16) (s->send_round + 1);
    guint32 ts = (s->send_round + 1) * 160u;
    guint32 ssrc = (p == &s->l) ? 0x4c4c4c4cu : 0x52525252u;

    rtp[0] = 0x80;
    rtp[1] = 0x00;
    rtp[2] = seq >> 8;
    rtp[3] = seq & 0xff;
    rtp[4] = ts >> 24;
    rtp[5] = (ts >> 16) & 0xff;
    rtp[6] = (ts >> 8) & 0xff;
    rtp[7] = ts & 0xff;
    rtp[8] = ssrc >> 24;
    rtp[9] = (ssrc >> 16) & 0xff;
    rtp[10] = (ssrc >> 8) & 0xff;
    rtp[11] = ssrc & 0xff;
    if (nice_agent_send (p->agent, p->stream, 1, sizeof rtp,
            (const gchar *) rtp) == (gint) sizeof rtp)
      p->sent++;
    else
      fprintf (stderr, "send from %s failed\n", p->name);
  }
  if (++s->send_round < s->packets)
    return G_SOURCE_CONTINUE;
  /* Leave time for the last payloads (and keepalives) to arrive. */
  g_timeout_add (500, quit_cb, s);
  return G_SOURCE_REMOVE;
}

static void
print_selected (Peer *p)
{
  NiceCandidate *local = NULL, *remote = NULL;

  if (nice_agent_get_selected_pair (p->agent, p->stream, 1, &local, &remote)) {
    gchar a[NICE_ADDRESS_STRING_LEN], b[NICE_ADDRESS_STRING_LEN];
    nice_address_to_string (&local->addr, a);
    nice_address_to_string (&remote->addr, b);
    printf ("selected pair %s: local %s %s:%u -> remote %s %s:%u\n", p->name,
        cand_transport_name (local->transport), a,
        nice_address_get_port (&local->addr),
        cand_transport_name (remote->transport), b,
        nice_address_get_port (&remote->addr));
  }
}

static void
on_state_changed (NiceAgent *agent, guint stream, guint component,
    guint state, gpointer data)
{
  Peer *p = data;
  Session *s = p->session;

  (void) agent;
  (void) stream;
  (void) component;
  p->state = state;
  printf ("state %s: %s\n", p->name, state_name (state));
  fflush (stdout);
  if (state == NICE_COMPONENT_STATE_READY) {
    p->ready = TRUE;
    print_selected (p);
  } else if (state == NICE_COMPONENT_STATE_FAILED) {
    s->failed = TRUE;
    /* Give the other agent a moment, then stop. */
    g_timeout_add (300, quit_cb, s);
  }
  if (s->l.ready && (s->r.ready || opt_remote_peer) && !s->sending) {
    s->sending = TRUE;
    /* A short pause so the last check responses settle, then send. */
    g_timeout_add (100, send_cb, s);
  }
}

static void
on_recv (NiceAgent *agent, guint stream, guint component, guint len,
    gchar *buf, gpointer data)
{
  Peer *p = data;

  (void) agent;
  (void) stream;
  (void) component;
  (void) buf;
  p->received++;
  printf ("received by %s: %u bytes\n", p->name, len);
  fflush (stdout);
}

static gboolean
timeout_cb (gpointer data)
{
  Session *s = data;
  printf ("timeout after %u s (L %s, R %s)\n", opt_timeout,
      state_name (s->l.state), state_name (s->r.state));
  s->failed = TRUE;
  g_main_loop_quit (s->loop);
  return G_SOURCE_REMOVE;
}

static int
setup_peer (Session *s, Peer *p, const char *name, gboolean controlling,
    NiceCompatibility compat, gboolean tcp, guint port)
{
  NiceAddress addr;
  NiceAgentOption opts = NICE_AGENT_OPTION_NONE;

  if (opt_regular)
    opts |= NICE_AGENT_OPTION_REGULAR_NOMINATION;
  if (opt_lite_r && !controlling)
    opts |= NICE_AGENT_OPTION_LITE_MODE;

  p->name = name;
  p->session = s;
  p->state = NICE_COMPONENT_STATE_DISCONNECTED;
  /* ICE-TCP is chosen with the "ice-tcp"/"ice-udp" properties below
   * (libnice 0.1.21 has no NICE_AGENT_OPTION for it). */
  p->agent = nice_agent_new_full (g_main_loop_get_context (s->loop), compat,
      opts);
  if (!p->agent)
    return -1;
  g_object_set (p->agent,
      "controlling-mode", controlling,
      "upnp", FALSE,
      "ice-udp", !tcp,
      "ice-tcp", tcp,
      NULL);

  if (!nice_address_set_from_string (&addr, opt_bind)) {
    fprintf (stderr, "bad bind address %s\n", opt_bind);
    return -1;
  }
  nice_agent_add_local_address (p->agent, &addr);
  if (opt_bind_r2 && !controlling) {
    NiceAddress addr2;
    if (!nice_address_set_from_string (&addr2, opt_bind_r2)) {
      fprintf (stderr, "bad address %s\n", opt_bind_r2);
      return -1;
    }
    nice_agent_add_local_address (p->agent, &addr2);
  }

  p->stream = nice_agent_add_stream (p->agent, 1);
  if (!p->stream)
    return -1;
  nice_agent_set_stream_name (p->agent, p->stream, "audio");
  if (port)
    nice_agent_set_port_range (p->agent, p->stream, 1, port, port);

  if (!opt_random_creds) {
    const char *ufrag = controlling ? UFRAG_L : UFRAG_R;
    const char *pwd = controlling ? PWD_L : PWD_R;
    if (!nice_agent_set_local_credentials (p->agent, p->stream, ufrag, pwd))
      fprintf (stderr, "set_local_credentials refused for %s; keeping "
          "libnice's own\n", name);
  }

  /* Only the controlling agent is given the relay, which keeps the TURN
   * exchange in a capture to one client. */
  if (opt_relay && controlling) {
    gchar *host = g_strdup (opt_relay);
    gchar *colon = strrchr (host, ':');
    guint rport = 3478;
    if (colon) {
      *colon = '\0';
      rport = (guint) strtoul (colon + 1, NULL, 10);
    }
    NiceRelayType rtype = NICE_RELAY_TYPE_TURN_UDP;
    if (!strcmp (opt_relay_type, "tcp"))
      rtype = NICE_RELAY_TYPE_TURN_TCP;
    else if (!strcmp (opt_relay_type, "tls"))
      rtype = NICE_RELAY_TYPE_TURN_TLS;
    if (!nice_agent_set_relay_info (p->agent, p->stream, 1, host, rport,
            opt_relay_user, opt_relay_pass, rtype))
      fprintf (stderr, "set_relay_info refused for %s\n", name);
    g_free (host);
  }

  g_signal_connect (p->agent, "candidate-gathering-done",
      G_CALLBACK (on_gathering_done), p);
  g_signal_connect (p->agent, "component-state-changed",
      G_CALLBACK (on_state_changed), p);
  nice_agent_attach_recv (p->agent, p->stream, 1,
      g_main_loop_get_context (s->loop), on_recv, p);
  return 0;
}

static void
usage (void)
{
  fprintf (stderr,
      "usage: ice-pair [--compat rfc5245|oc2007r2|oc2007|google] "
      "[--transport udp|tcp]\n"
      "                [--bind ADDR] [--port-l N] [--port-r N] "
      "[--timeout S] [--packets N]\n"
      "                [--relay HOST:PORT --relay-user U --relay-pass P]\n"
      "                [--relay-type udp|tcp|tls]\n"
      "                [--gather-only] [--random-creds]\n"
      "                [--lite-r] [--regular] [--bind-r2 ADDR] [--linger MS]\n"
      "                [--remote-peer]\n");
}

int
main (int argc, char **argv)
{
  Session s;
  NiceCompatibility compat;
  gboolean tcp;

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
#define ARG(name, var) \
    if (!strcmp (a, name)) { if (++i >= argc) { usage (); return 1; } \
      var = argv[i]; continue; }
    const char *num = NULL;
    ARG ("--compat", opt_compat);
    ARG ("--transport", opt_transport);
    ARG ("--bind", opt_bind);
    ARG ("--relay", opt_relay);
    ARG ("--relay-user", opt_relay_user);
    ARG ("--relay-pass", opt_relay_pass);
    ARG ("--relay-type", opt_relay_type);
    ARG ("--bind-r2", opt_bind_r2);
    if (!strcmp (a, "--port-l") || !strcmp (a, "--port-r") ||
        !strcmp (a, "--timeout") || !strcmp (a, "--packets") ||
        !strcmp (a, "--linger")) {
      if (++i >= argc) { usage (); return 1; }
      num = argv[i];
      guint v = (guint) strtoul (num, NULL, 10);
      if (!strcmp (a, "--port-l")) opt_port_l = v;
      else if (!strcmp (a, "--port-r")) opt_port_r = v;
      else if (!strcmp (a, "--timeout")) opt_timeout = v;
      else if (!strcmp (a, "--linger")) opt_linger = v;
      else opt_packets = v;
      continue;
    }
    if (!strcmp (a, "--gather-only")) { opt_gather_only = TRUE; continue; }
    if (!strcmp (a, "--random-creds")) { opt_random_creds = TRUE; continue; }
    if (!strcmp (a, "--lite-r")) { opt_lite_r = TRUE; continue; }
    if (!strcmp (a, "--regular")) { opt_regular = TRUE; continue; }
    if (!strcmp (a, "--remote-peer")) { opt_remote_peer = TRUE; continue; }
#undef ARG
    usage ();
    return 1;
  }

  if (!strcmp (opt_compat, "rfc5245"))
    compat = NICE_COMPATIBILITY_RFC5245;
  else if (!strcmp (opt_compat, "oc2007r2"))
    compat = NICE_COMPATIBILITY_OC2007R2;
  else if (!strcmp (opt_compat, "oc2007"))
    compat = NICE_COMPATIBILITY_OC2007;
  else if (!strcmp (opt_compat, "google"))
    compat = NICE_COMPATIBILITY_GOOGLE;
  else {
    usage ();
    return 1;
  }
  if (!strcmp (opt_transport, "udp"))
    tcp = FALSE;
  else if (!strcmp (opt_transport, "tcp"))
    tcp = TRUE;
  else {
    usage ();
    return 1;
  }

  /* libnice 0.1.21 draws the per-candidate credentials of the MSN/OC2007
   * modes (and other non-wire values such as foundations' tie-breakers)
   * from GLib's global random generator; seeding it keeps those
   * credentials identical from run to run.  STUN transaction IDs come from
   * GnuTLS and stay random. */
  if (!opt_random_creds)
    g_random_set_seed (0x6d737374u);

  memset (&s, 0, sizeof s);
  s.loop = g_main_loop_new (NULL, FALSE);
  s.packets = opt_packets;
  s.gather_only = opt_gather_only;
  printf ("libnice ice-pair: compat=%s transport=%s bind=%s\n", opt_compat,
      opt_transport, opt_bind);

  if (setup_peer (&s, &s.l, "L", TRUE, compat, tcp, opt_port_l) < 0 ||
      (!opt_remote_peer &&
          setup_peer (&s, &s.r, "R", FALSE, compat, tcp, opt_port_r) < 0)) {
    fprintf (stderr, "agent setup failed\n");
    return 1;
  }

  if (!nice_agent_gather_candidates (s.l.agent, s.l.stream) ||
      (!opt_remote_peer &&
          !nice_agent_gather_candidates (s.r.agent, s.r.stream))) {
    fprintf (stderr, "gather_candidates failed\n");
    return 2;
  }

  g_timeout_add_seconds (opt_timeout, timeout_cb, &s);
  g_main_loop_run (s.loop);

  printf ("result: L %s sent=%u received=%u; R %s sent=%u received=%u\n",
      state_name (s.l.state), s.l.sent, s.l.received,
      state_name (s.r.state), s.r.sent, s.r.received);
  if (opt_remote_peer)
    s.exit_code = (!s.failed && s.l.ready && s.l.received >= s.packets) ? 0 : 2;
  else
    s.exit_code = (!s.failed && s.l.ready && s.r.ready &&
        s.l.received >= s.packets && s.r.received >= s.packets) ? 0 : 2;
  if (opt_gather_only)
    s.exit_code = s.exchanged ? 0 : 2;

  nice_agent_remove_stream (s.l.agent, s.l.stream);
  if (!opt_remote_peer)
    nice_agent_remove_stream (s.r.agent, s.r.stream);
  if (opt_linger) {
    g_timeout_add (opt_linger, quit_cb, &s);
    g_main_loop_run (s.loop);
    printf ("lingered %u ms after removing the streams\n", opt_linger);
  }
  g_object_unref (s.l.agent);
  if (!opt_remote_peer)
    g_object_unref (s.r.agent);
  g_main_loop_unref (s.loop);
  return s.exit_code;
}

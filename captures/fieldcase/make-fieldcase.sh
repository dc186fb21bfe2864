#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Make the field-case captures of msstun (see README.md beside this file):
# a meeting server's RFC 6062 TCP allocation on a live coturn, and real
# libnice MS-ICE2 ICE-TCP checks relayed through it.
#
# Each capture runs in a network namespace of its own (msstun-fc-<pid>-<n>) on
# its loopback only: 127.0.0.1 = TURN server (coturn) on 3478, 127.0.0.2 =
# relayed address, 127.0.0.3 = the remote ICE agent (peer), 127.0.0.4 = the
# meeting server (TURN client). Every process is started in the background,
# its PID recorded and stopped by that PID; the namespace is deleted after
# each capture and, on any exit, by the EXIT trap (these helpers are in
# ../lib/netns.sh).
#
# Needs root and the Debian packages coturn, tshark (dumpcap, capinfos),
# iproute2 and python3.
#
# Each run writes NAME.pcap (the meeting server's view: capture filter "host
# 127.0.0.4") and NAME-both-legs.pcap (everything on lo, as on the TURN server).
#
# Usage: sudo ./make-fieldcase.sh [good|oneway ...]   (default: both)
#        OUT=/some/dir ./make-fieldcase.sh             (write the pcaps elsewhere)
#        KEEP_WORK=1 ./make-fieldcase.sh               (keep the process logs in /tmp)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE}
LIBNICE_PCAP=${LIBNICE_PCAP:-$HERE/../libnice/ice-oc2007r2-tcp.pcap}
WORK=$(mktemp -d /tmp/msstun-fieldcase.XXXXXX)

USER_NAME=alice
USER_PASS=secret
REALM=example.org
SERVER_IP=127.0.0.1
RELAY_IP=127.0.0.2
PEER_IP=127.0.0.3
CLIENT_IP=127.0.0.4

LOG_TAG=make-fieldcase
NS_PREFIX=msstun-fc
NS_ADDRS="$RELAY_IP $PEER_IP $CLIENT_IP"
# shellcheck source=SCRIPTDIR/../lib/netns.sh
. "$HERE/../lib/netns.sh"

# The controlled (R, active, port 36653) and controlling (L, passive, port
# 40000) agents' segments of libnice's selected ICE-TCP connection, in order.
extract_frames() {
    local sport
    sport=$(tshark -r "$LIBNICE_PCAP" -Y 'tcp.stream==0 && tcp.flags.syn==1 && tcp.flags.ack==0' \
            -T fields -e tcp.srcport 2>/dev/null)
    tshark -r "$LIBNICE_PCAP" -Y 'tcp.stream==0 && tcp.len>0' -T fields -e tcp.srcport -e tcp.payload 2>/dev/null |
        awk -v r="$sport" '{ print ($1 == r ? "R" : "L"), $2 }' >"$WORK/frames.txt"
    log "libnice segments: $(wc -l <"$WORK/frames.txt") ($(awk '{print $1}' "$WORK/frames.txt" | tr -d '\n'))"
}

capture() { # name [--oneway]
    local name=$1; shift
    local cap="$WORK/$name.pcap" cap_all="$WORK/$name-both-legs.pcap" i f
    ns_up
    start_turnserver --no-tls --no-dtls --no-udp
    wait_listen t $SERVER_IP:3478
    # two captures of the same run: the meeting server's view (only its own
    # connections, as a capture on the meeting server shows them) and the whole
    # loopback (the TURN server's view: also the peer's connection to the relay)
    start_bg dumpcap_ms dumpcap -q -P -i lo -f "host $CLIENT_IP" -w "$cap"
    start_bg dumpcap_all dumpcap -q -P -i lo -w "$cap_all"
    for i in $(seq 50); do [ -s "$cap" ] && [ -s "$cap_all" ] && break; sleep 0.1; done
    sleep 0.5 # let dumpcap really start capturing
    run_client bridge 20 python3 "$HERE/rfc6062_bridge.py" "$@" \
        "$WORK/frames.txt" $SERVER_IP 3478 $CLIENT_IP $PEER_IP
    cat "$WORK/bridge.log" >&2
    [ "$CLIENT_RC" = 0 ] || { log "rfc6062_bridge.py exited with $CLIENT_RC"; return 1; }
    sleep 0.5
    stop_bg dumpcap_ms
    stop_bg dumpcap_all
    ns_down
    for f in "$name" "$name-both-legs"; do
        cp "$WORK/$f.pcap" "$OUT/$f.pcap"
        chmod 644 "$OUT/$f.pcap"
        log "$f.pcap: $(frames "$OUT/$f.pcap") frames"
    done
    mkdir -p "$WORK/logs/$name"
    mv "$WORK"/*.log "$WORK/logs/$name/" 2>/dev/null || true
}

main() {
    [ "$(id -u)" = 0 ] || { log "must run as root"; exit 1; }
    mkdir -p "$OUT"
    extract_frames
    local s list=("$@")
    [ ${#list[@]} -gt 0 ] || list=(good oneway)
    for s in "${list[@]}"; do
        case $s in
        good) capture fieldcase ;;
        oneway) capture fieldcase-oneway --oneway ;;
        *) log "unknown capture $s"; exit 2 ;;
        esac
    done
}

main "$@"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-captures.sh - WebRTC calls between two GStreamer webrtcbin peers
# (webrtc-call.py, libnice inside) with DTLS-SRTP Opus audio: STUN checks,
# DTLS, SRTP and SRTCP on one 5-tuple; directly and relay-only through coturn
# (TURN over UDP and TURN over TCP).
#
# Each capture runs in a private network namespace: "lo" up, one veth pair
# whose end v0 has 10.77.0.1 (libnice gathers no loopback interface; traffic
# between local addresses still goes over lo, where dumpcap listens), IPv6 off.
# Every process started here is stopped by its PID. Needs root, dumpcap,
# coturn, gstreamer1.0-plugins-{base,good,bad}, gstreamer1.0-nice,
# gir1.2-gst-plugins-bad-1.0 and python3-gi.
#
# Usage: ./make-captures.sh [direct|turn-udp|turn-tcp...]   (default: all)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/msstun-webrtc.XXXXXX)
NS="msstun-webrtc-$$"
IP=10.77.0.1
SECONDS_CALL=7
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	PIDS=()
	if ip netns list | grep -qw "$NS"; then ip netns del "$NS"; fi
}
trap 'cleanup; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
log() { printf '[webrtc] %s\n' "$*" >&2; }

ns_up() {
	ip netns add "$NS"
	ip netns exec "$NS" sh -c "ip link set lo up; sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		ip link add v0 type veth peer name v1; ip addr add $IP/24 dev v0; ip link set v0 up; ip link set v1 up"
}

start_turn() {
	ip netns exec "$NS" turnserver -n --no-cli --no-tls --no-dtls --listening-ip=$IP --relay-ip=$IP \
		--min-port=50000 --max-port=50999 --allow-loopback-peers --lt-cred-mech --user=webrtc:secret \
		--realm=msstun.test --fingerprint --log-file=stdout --simple-log --pidfile="$WORK/turn.pid" \
		--db="$WORK/turndb" >"$WORK/turn.log" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 50); do
		ip netns exec "$NS" ss -lnu | grep -q "$IP:3478" && ip netns exec "$NS" ss -lnt | grep -q "$IP:3478" && return
		sleep 0.1
	done
	log "turnserver did not start"; cat "$WORK/turn.log" >&2; exit 1
}

capture() { # name [TURN-URI]
	local name=$1 uri=${2:-} dc
	ns_up
	[[ -n "$uri" ]] && start_turn
	ip netns exec "$NS" dumpcap -q -P -i lo -f "(udp or tcp) and not net 224.0.0.0/4" -w "$WORK/$name.pcap" \
		>"$WORK/dumpcap.log" 2>&1 &
	dc=$!
	for _ in $(seq 50); do [[ -s "$WORK/$name.pcap" ]] && break; sleep 0.1; done
	sleep 0.3
	log "$name: call for $SECONDS_CALL s ${uri:+through $uri}"
	ip netns exec "$NS" /usr/bin/python3 "$HERE/webrtc-call.py" "$SECONDS_CALL" $uri >"$WORK/$name.log" 2>&1 ||
		{ cat "$WORK/$name.log" >&2; exit 1; }
	grep -v CRITICAL "$WORK/$name.log" | grep -E "conn connected|done" >&2 || true
	grep -q "A ice .* conn connected" "$WORK/$name.log" || { log "$name: the call did not connect"; exit 1; }
	sleep 0.5
	kill -INT "$dc"; wait "$dc" || true
	cleanup
	cp "$WORK/$name.pcap" "$HERE/webrtc-$name.pcap"
	log "wrote webrtc-$name.pcap ($(capinfos -c -M "$HERE/webrtc-$name.pcap" | awk '/Number/ {print $NF}') frames)"
}

for what in "${@:-direct turn-udp turn-tcp}"; do
	for w in $what; do
		case $w in
		direct) capture direct ;;
		turn-udp) capture turn-udp "turn://webrtc:secret@$IP:3478" ;;
		turn-tcp) capture turn-tcp "turn://webrtc:secret@$IP:3478?transport=tcp" ;;
		*) log "unknown capture $w"; exit 2 ;;
		esac
	done
done

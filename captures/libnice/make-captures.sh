#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-captures.sh - capture real libnice ICE sessions (RFC 5245, OC2007R2 =
# [MS-ICE2], OC2007 = MS-ICE/[MS-TURN] flavour) over UDP and ICE-TCP.
#
# Builds ice-pair.c in a temporary directory, then for each capture creates a
# private network namespace with only "lo" up, runs dumpcap on lo inside it
# and the two libnice agents of ice-pair against each other on 127.0.0.1.
# Nothing outside the namespace is touched.  Needs root (ip netns, nft),
# gcc, pkg-config + libnice-dev, dumpcap and python3.
#
# Usage: ./make-captures.sh [NAME...]   (default: all captures)
# Writes NAME.pcap and NAME.log (stdout of ice-pair) next to this script.

set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/msstun-nice.XXXXXX)
NS="msstun-nice-$$"
DUMPCAP_PID=""
HELPER_PID=""
PORT_L=40000 # controlling agent "L"
PORT_R=40002 # controlled agent "R"
TURN_PORT=3478

cleanup() {
	if [[ -n "$HELPER_PID" ]]; then
		kill "$HELPER_PID" 2>/dev/null || true
		wait "$HELPER_PID" 2>/dev/null || true
		HELPER_PID=""
	fi
	if [[ -n "$DUMPCAP_PID" ]]; then
		kill "$DUMPCAP_PID" 2>/dev/null || true
		wait "$DUMPCAP_PID" 2>/dev/null || true
		DUMPCAP_PID=""
	fi
	if ip netns list | grep -qw "$NS"; then
		ip netns del "$NS"
	fi
}
trap 'cleanup; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

log() { printf '[make-captures] %s\n' "$*" >&2; }

build() {
	log "building ice-pair against libnice $(pkg-config --modversion nice)"
	# shellcheck disable=SC2046
	gcc -Wall -Wextra -O1 "$HERE/ice-pair.c" $(pkg-config --cflags --libs nice) \
		-o "$WORK/ice-pair"
}

ns_up() {
	ip netns add "$NS"
	ip netns exec "$NS" ip link set lo up
}

start_dumpcap() { # $1 = output file
	ip netns exec "$NS" dumpcap -q -P -i lo -f "udp or tcp" -w "$1" \
		>"$WORK/dumpcap.out" 2>&1 &
	DUMPCAP_PID=$!
	# Wait until dumpcap has opened the interface and written the header.
	for _ in $(seq 50); do
		[[ -s "$1" ]] && break
		sleep 0.1
	done
	[[ -s "$1" ]] || { log "dumpcap did not start"; cat "$WORK/dumpcap.out" >&2; exit 1; }
	sleep 0.3
}

stop_dumpcap() {
	sleep 0.5
	kill -INT "$DUMPCAP_PID"
	wait "$DUMPCAP_PID" || true
	DUMPCAP_PID=""
}

stop_helper() {
	if [[ -n "$HELPER_PID" ]]; then
		kill "$HELPER_PID" 2>/dev/null || true
		wait "$HELPER_PID" 2>/dev/null || true
		HELPER_PID=""
	fi
}

# Block the controlled agent's Binding *requests* towards the controlling
# agent at the netfilter input hook.  Packet capture on lo happens on the
# transmit path, before the input hook, so the capture shows R's requests
# with no response; L's own checks (and R's responses to them) pass.
block_r_requests() {
	ip netns exec "$NS" nft -f - <<-EOF
		table inet msstun_block {
			chain input {
				type filter hook input priority 0; policy accept;
				udp sport $PORT_R udp dport $PORT_L @th,64,16 0x0001 counter drop
			}
		}
	EOF
}

# Drop the controlling agent's nominating Binding requests (USE-CANDIDATE
# 0x0025 is their first attribute: UDP header 8 + STUN header 20 bytes = bit
# 224) at the *output* hook: they never reach the wire, the send fails, and
# nobody nominates a pair although the ordinary checks succeed both ways.
block_nomination() {
	ip netns exec "$NS" nft -f - <<-EOF
		table inet msstun_block {
			chain output {
				type filter hook output priority 0; policy accept;
				udp sport $PORT_L udp dport $PORT_R @th,224,16 0x0025 counter drop
			}
		}
	EOF
}

# Drop everything to/from R's second host address 127.0.0.5 at the input
# hook (captured, never delivered): the pair L 127.0.0.1 <-> R 127.0.0.5
# fails both ways, the pair 127.0.0.1 <-> 127.0.0.1 works and carries media.
block_r2() {
	ip netns exec "$NS" ip addr add 127.0.0.5/8 dev lo
	ip netns exec "$NS" nft -f - <<-EOF
		table inet msstun_block {
			chain input {
				type filter hook input priority 0; policy accept;
				ip saddr 127.0.0.5 udp dport $PORT_L counter drop
				ip daddr 127.0.0.5 udp dport $PORT_R counter drop
			}
		}
	EOF
}

# The ICE-lite peer R: ice-lite-peer/ (pion/ice v2 from Debian's
# golang-github-pion-ice.v2-dev, built in GOPATH mode, no network) or
# lite-responder.py (a scripted strict RFC 8445 section 7.3 lite responder).
# ice-pair then runs with --remote-peer (only the full agent L).
start_pion_lite() {
	if [[ ! -x "$WORK/ice-lite-peer" ]]; then
		(cd "$HERE/ice-lite-peer" && GO111MODULE=off GOPATH=/usr/share/gocode \
			GOCACHE="$WORK/gocache" go build -o "$WORK/ice-lite-peer" main.go)
	fi
	ip netns exec "$NS" "$WORK/ice-lite-peer" --bind 127.0.0.1 --port "$PORT_R" \
		>"$WORK/helper.out" 2>&1 &
	HELPER_PID=$!
	sleep 0.5
}

start_lite_responder() {
	ip netns exec "$NS" /usr/bin/python3 "$HERE/lite-responder.py" "${LITE_COMPAT:-rfc5245}" \
		127.0.0.1 "$PORT_R" >"$WORK/helper.out" 2>&1 &
	HELPER_PID=$!
	sleep 0.5
}

# A UDP "TURN server" that only receives: libnice's unauthenticated
# [MS-TURN] Allocate and its retransmissions reach the wire, no reply.
start_silent_turn() {
	ip netns exec "$NS" /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
while True:
    s.recvfrom(4096)
' "$TURN_PORT" &
	HELPER_PID=$!
	sleep 0.3
}

# fake-msturn.py answers with a 401 challenge and then a success response,
# so that libnice's authenticated Allocate (USERNAME, REALM, NONCE,
# MESSAGE-INTEGRITY) is captured too.  Its own replies are synthetic.
TURN_USER=msstunuser12 # libnice base64-decodes OC2007 TURN credentials,
TURN_PASS=msstunpass12 # so ice-pair gets the base64 form of these.
start_fake_msturn() {
	ip netns exec "$NS" /usr/bin/python3 "$HERE/fake-msturn.py" "$TURN_PORT" \
		"$TURN_USER" "$TURN_PASS" >"$WORK/helper.out" 2>&1 &
	HELPER_PID=$!
	sleep 0.5
}

# run NAME SETUP ICE-PAIR-ARGS...
run() {
	local name=$1 setup=$2 rc=0
	shift 2
	log "capture $name: ice-pair $*"
	ns_up
	if [[ -n "$setup" ]]; then "$setup"; fi
	start_dumpcap "$WORK/$name.pcap"
	local k
	for k in $(seq "${RUNS:-1}"); do
		[[ "${RUNS:-1}" -gt 1 ]] && echo "=== ice-pair run $k" >>"$WORK/$name.log"
		timeout 15 ip netns exec "$NS" "$WORK/ice-pair" --bind 127.0.0.1 \
			--port-l "$PORT_L" --port-r "$PORT_R" "$@" \
			>>"$WORK/$name.log" 2>&1 || rc=$?
	done
	stop_dumpcap
	stop_helper
	if [[ -s "$WORK/helper.out" ]]; then
		{ echo "--- $setup output:"; cat "$WORK/helper.out"; } >>"$WORK/$name.log"
		rm -f "$WORK/helper.out"
	fi
	if [[ "$setup" == block_* ]]; then
		ip netns exec "$NS" nft list ruleset >>"$WORK/$name.log"
	fi
	ip netns del "$NS"
	echo "ice-pair exit status: $rc" >>"$WORK/$name.log"
	cp "$WORK/$name.pcap" "$WORK/$name.log" "$HERE/"
	log "  -> $name.pcap ($(tshark -r "$HERE/$name.pcap" 2>/dev/null | wc -l) frames, ice-pair rc=$rc)"
}

want() { # capture selected on the command line (or all)?
	[[ ${#SELECTED[@]} -eq 0 ]] && return 0
	local n
	for n in "${SELECTED[@]}"; do [[ "$n" == "$1" ]] && return 0; done
	return 1
}

SELECTED=("$@")
build

want ice-rfc5245-udp && run ice-rfc5245-udp "" --compat rfc5245 --transport udp
want ice-oc2007r2-udp && run ice-oc2007r2-udp "" --compat oc2007r2 --transport udp
want ice-oc2007-udp && run ice-oc2007-udp "" --compat oc2007 --transport udp
want ice-rfc5245-tcp && run ice-rfc5245-tcp "" --compat rfc5245 --transport tcp
want ice-oc2007r2-tcp && run ice-oc2007r2-tcp "" --compat oc2007r2 --transport tcp
want ice-oc2007-tcp && run ice-oc2007-tcp "" --compat oc2007 --transport tcp
want ice-oc2007r2-oneway && run ice-oc2007r2-oneway block_r_requests \
	--compat oc2007r2 --transport udp --timeout 10
want msturn-allocate-oc2007 && run msturn-allocate-oc2007 start_silent_turn \
	--compat oc2007 --transport udp --timeout 10 \
	--relay "127.0.0.1:$TURN_PORT" --relay-user msstun --relay-pass msstunpass

want msturn-allocate-oc2007-auth && run msturn-allocate-oc2007-auth start_fake_msturn \
	--compat oc2007 --transport udp --timeout 10 \
	--relay "127.0.0.1:$TURN_PORT" --relay-user "$(printf %s "$TURN_USER" | base64)" \
	--relay-pass "$(printf %s "$TURN_PASS" | base64)"

# ---- failure and tricky-healthy cases (see README.md, "Failure captures")
want ice-rfc5245-regular && run ice-rfc5245-regular "" \
	--compat rfc5245 --transport udp --regular
want ice-rfc5245-no-nomination && run ice-rfc5245-no-nomination block_nomination \
	--compat rfc5245 --transport udp --regular --timeout 10
want ice-oc2007r2-no-nomination && run ice-oc2007r2-no-nomination block_nomination \
	--compat oc2007r2 --transport udp --regular --timeout 10
want ice-rfc5245-spare-pair-fails && run ice-rfc5245-spare-pair-fails block_r2 \
	--compat rfc5245 --transport udp --bind-r2 127.0.0.5 --timeout 10
# two ice-pair runs on the same 5-tuple (L 127.0.0.1:40000 <-> TURN :3478):
# each removes its stream at the end, libnice sends an Allocate with
# LIFETIME 0 (kept on the wire by --linger), the next run allocates again
want msturn-dealloc-oc2007 && RUNS=2 run msturn-dealloc-oc2007 start_fake_msturn \
	--compat oc2007 --transport udp --timeout 10 --linger 1500 \
	--relay "127.0.0.1:$TURN_PORT" --relay-user "$(printf %s "$TURN_USER" | base64)" \
	--relay-pass "$(printf %s "$TURN_PASS" | base64)"
# ICE-lite peer R against libnice's full agent L (controlling)
want ice-rfc5245-lite-pion && run ice-rfc5245-lite-pion start_pion_lite \
	--compat rfc5245 --transport udp --remote-peer --timeout 8
want ice-rfc5245-lite && run ice-rfc5245-lite start_lite_responder \
	--compat rfc5245 --transport udp --remote-peer --timeout 8
want ice-oc2007r2-lite && LITE_COMPAT=oc2007r2 run ice-oc2007r2-lite start_lite_responder \
	--compat oc2007r2 --transport udp --remote-peer --timeout 8

chmod 644 "$HERE"/*.pcap "$HERE"/*.log
log "done"

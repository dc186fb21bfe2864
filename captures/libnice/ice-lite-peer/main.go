// SPDX-License-Identifier: GPL-2.0-or-later

// ice-lite-peer: an ICE-lite agent (pion/ice v2, Debian
// golang-github-pion-ice.v2-dev) for the msstun captures.  It plays agent "R"
// of ice-pair (controlled, ufrag msstunRufrag, one UDP host candidate) against
// a libnice full agent "L" started with `ice-pair --remote-peer`; credentials
// and candidates are fixed on both sides, so nothing is exchanged.  An
// ICE-lite agent never sends connectivity checks: it only answers L's.
//
// After the connection is up it answers every payload it receives with a
// 12-byte fake RTP packet of its own (SSRC 0x52525252, the sequence number of
// the packet it got), then exits after -packets answers or -timeout.
//
// Build (GOPATH mode, Debian packages only):
//   GO111MODULE=off GOPATH=/usr/share/gocode go build -o ice-lite-peer main.go
package main

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/pion/ice/v2"
)

func main() {
	bind := flag.String("bind", "127.0.0.1", "address of the host candidate")
	port := flag.Int("port", 40002, "UDP port of the host candidate")
	remote := flag.String("remote", "1 1 udp 2015363327 127.0.0.1 40000 typ host",
		"the full agent's candidate (SDP a=candidate value)")
	packets := flag.Int("packets", 3, "answers to send before exiting")
	timeout := flag.Duration("timeout", 10*time.Second, "give up after")
	flag.Parse()

	agent, err := ice.NewAgent(&ice.AgentConfig{
		Lite:             true,
		NetworkTypes:     []ice.NetworkType{ice.NetworkTypeUDP4},
		CandidateTypes:   []ice.CandidateType{ice.CandidateTypeHost},
		LocalUfrag:       "msstunRufrag",
		LocalPwd:         "msstunRpasswordRRRRRRRR",
		PortMin:          uint16(*port),
		PortMax:          uint16(*port),
		IncludeLoopback:  true,
		MulticastDNSMode: ice.MulticastDNSModeDisabled,
		IPFilter:         func(ip net.IP) bool { return ip.String() == *bind },
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "NewAgent:", err)
		os.Exit(1)
	}
	agent.OnConnectionStateChange(func(s ice.ConnectionState) {
		fmt.Println("state R (lite):", s.String())
	})
	agent.OnSelectedCandidatePairChange(func(l, r ice.Candidate) {
		fmt.Println("selected pair R:", l.String(), "->", r.String())
	})
	agent.OnCandidate(func(c ice.Candidate) {
		if c != nil {
			fmt.Println("candidate R:", c.Marshal())
		}
	})
	if err := agent.GatherCandidates(); err != nil {
		fmt.Fprintln(os.Stderr, "GatherCandidates:", err)
		os.Exit(1)
	}
	rc, err := ice.UnmarshalCandidate(*remote)
	if err != nil {
		fmt.Fprintln(os.Stderr, "UnmarshalCandidate:", err)
		os.Exit(1)
	}
	if err := agent.AddRemoteCandidate(rc); err != nil {
		fmt.Fprintln(os.Stderr, "AddRemoteCandidate:", err)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	conn, err := agent.Accept(ctx, "msstunLufrag", "msstunLpasswordLLLLLLLL")
	if err != nil {
		fmt.Println("result: R (lite) failed:", err)
		os.Exit(2)
	}
	buf := make([]byte, 1500)
	answered := 0
	deadline, _ := ctx.Deadline()
	_ = conn.SetReadDeadline(deadline)
	for answered < *packets {
		n, err := conn.Read(buf)
		if err != nil {
			fmt.Println("result: R (lite) read:", err)
			os.Exit(2)
		}
		fmt.Printf("received by R: %d bytes\n", n)
		rtp := make([]byte, 12)
		rtp[0] = 0x80
		if n >= 4 {
			copy(rtp[2:4], buf[2:4])
		}
		seq := binary.BigEndian.Uint16(rtp[2:4])
		binary.BigEndian.PutUint32(rtp[4:8], uint32(seq)*160)
		binary.BigEndian.PutUint32(rtp[8:12], 0x52525252)
		if _, err := conn.Write(rtp); err != nil {
			fmt.Println("write:", err)
		}
		answered++
	}
	fmt.Printf("result: R (lite) answered=%d\n", answered)
	time.Sleep(700 * time.Millisecond)
	_ = agent.Close()
}

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Turn a fuzz input (e.g. a crash-* file) into the pcap the harness dissected:
    python3 fuzz/to_pcap.py crash-XXXX out.pcap [--list]
then reproduce with `tshark -2 -r out.pcap` (raw IPv4, UDP/TCP port 3478)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzzrec  # noqa: E402


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    recs = fuzzrec.decode(open(sys.argv[1], "rb").read())
    fuzzrec.write_pcap(sys.argv[2], fuzzrec.packets(recs))
    if "--list" in sys.argv:
        for i, (c, p) in enumerate(recs, 1):
            print(f"{i}: {'TCP' if c & 1 else 'UDP'} {'s->c' if c & 2 else 'c->s'} client {(c >> 2) & 3}"
                  f" port {fuzzrec.server_port(c)}{' retrans' if c & 0x20 else ''} {p.hex()}")


if __name__ == "__main__":
    main()

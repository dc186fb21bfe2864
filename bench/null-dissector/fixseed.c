/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * fixseed.so: LD_PRELOADed into tshark under callgrind only. wmem_map seeds
 * its hash from g_random_int(), so the same run costs a few hundred
 * instructions more or less per frame from one process to the next; a fixed
 * sequence makes instruction counts repeatable to a few Ir per frame.
 */
#include <stdint.h>

uint32_t g_random_int(void);

uint32_t
g_random_int(void)
{
    static uint32_t x = 0x9e3779b9u;
    x = x * 1664525u + 1013904223u;   /* any fixed sequence will do */
    return x;
}

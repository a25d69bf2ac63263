/* Named accessors for the CP14 registers the kernel switches or resets:
 * the debug registers (breakpoints, watchpoints, DSCR, OS lock) and
 * ThumbEE's, so C code reads "dbgdscr_read()" rather than encodings. */
#ifndef ARCH_ARM_CP14_H
#define ARCH_ARM_CP14_H

#include <stdint.h>
#include "arch/coprocessor.h"

#define CP14_32(name, op1, crn, crm, op2) COPROCESSOR_32(p14, name, op1, crn, crm, op2)

CP14_32(dbgdidr, 0, c0, c0, 0)
CP14_32(dbgdscr, 0, c0, c2, 2)     /* DBGDSCRext */
CP14_32(dbgvcr, 0, c0, c7, 0)
CP14_32(dbgoslar, 0, c1, c0, 4)
CP14_32(teecr, 6, c0, c0, 0)
CP14_32(teehbr, 6, c1, c0, 0)

#define DBGDSCR_MDBGEN (1u << 15)  /* monitor debug: breakpoints, watchpoints fire */
#define DBGDSCR_UDCCDIS (1u << 12) /* user access to the DCC disabled */
#define DBGDSCR_GUEST_BITS (DBGDSCR_MDBGEN | DBGDSCR_UDCCDIS)
#define DBGDIDR_WRPS(didr) ((((didr) >> 28) & 0xfu) + 1)
#define DBGDIDR_BRPS(didr) ((((didr) >> 24) & 0xfu) + 1)

/* Breakpoint and watchpoint register n is CRm = n: one accessor each. */
#define CP14_DEBUG_PAIR(n) \
    CP14_32(dbgbvr##n, 0, c0, c##n, 4) CP14_32(dbgbcr##n, 0, c0, c##n, 5) \
    CP14_32(dbgwvr##n, 0, c0, c##n, 6) CP14_32(dbgwcr##n, 0, c0, c##n, 7)
CP14_DEBUG_PAIR(0) CP14_DEBUG_PAIR(1) CP14_DEBUG_PAIR(2) CP14_DEBUG_PAIR(3)
CP14_DEBUG_PAIR(4) CP14_DEBUG_PAIR(5)

#endif

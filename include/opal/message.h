/* Messages: the tag word, message registers and the IPC buffer. */
#ifndef OPAL_MESSAGE_H
#define OPAL_MESSAGE_H

#include <stdint.h>

/* Tag: label (20 bits) | extra caps (2 bits) | length in words (7 bits). */
#define OPAL_TAG(label, extra_caps, length) \
    (((uint32_t)(label) << 12) | ((uint32_t)(extra_caps) << 7) | (uint32_t)(length))
#define OPAL_TAG_LABEL(tag)      ((tag) >> 12)
#define OPAL_TAG_EXTRA_CAPS(tag) (((tag) >> 7) & 0x3u)
#define OPAL_TAG_LENGTH(tag)     ((tag) & 0x7fu)

#define OPAL_MSG_REGISTERS       4    /* MR0-MR3 travel in r2-r5 */
#define OPAL_MSG_MAX_LENGTH      64   /* words; longer tags are cut to this (see docs/api.md) */
#define OPAL_MSG_MAX_EXTRA_CAPS  3

/* The IPC buffer: one per thread, set with TCB configure, 512-byte aligned
 * inside a frame the thread can write. MR0-MR3 live in registers; their
 * places here are unused. */
struct opal_ipc_buffer {
    uint32_t mr[OPAL_MSG_MAX_LENGTH];
    /* Sending: CPtrs (in the sender's CSpace) of the caps to transfer. */
    uint32_t send_caps[OPAL_MSG_MAX_EXTRA_CAPS];
    /* Receiving: received caps go to consecutive empty slots starting at
     * receive_index in the CNode named by receive_cnode; receive_count slots
     * may be used (0: accept no caps). The kernel writes how many arrived. */
    uint32_t receive_cnode;
    uint32_t receive_index;
    uint32_t receive_count;
    uint32_t received_caps;
    uint32_t user_data;            /* free for the thread (e.g. its TLS pointer) */
    uint32_t reserved[56];
};

#define OPAL_IPC_BUFFER_SIZE 512
#define OPAL_IPC_BUFFER_ALIGN 512

#endif

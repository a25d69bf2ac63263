/* The one error enum of Opal: returned by system calls and by the shared
 * freestanding library (lib/core), so every layer speaks the same words. */
#ifndef OPAL_ERROR_H
#define OPAL_ERROR_H

enum opal_error {
    OPAL_OK = 0,
    OPAL_ERR_INVALID_ARGUMENT = 1, /* an argument is out of its allowed set */
    OPAL_ERR_INVALID_CAPABILITY = 2, /* the cap is missing or of the wrong type */
    OPAL_ERR_ILLEGAL_OPERATION = 3, /* not allowed on this object or in this state */
    OPAL_ERR_RANGE = 4,            /* a size, count or index is too large or too small */
    OPAL_ERR_ALIGNMENT = 5,        /* an address or size is misaligned */
    OPAL_ERR_FAILED_LOOKUP = 6,    /* a cap address does not resolve */
    OPAL_ERR_TRUNCATED = 7,        /* a message or buffer was too small */
    OPAL_ERR_DELETE_FIRST = 8,     /* the destination slot is occupied */
    OPAL_ERR_REVOKE_FIRST = 9,     /* the object still has children */
    OPAL_ERR_NOT_ENOUGH_MEMORY = 10, /* the untyped region is exhausted */
    OPAL_ERR_MALFORMED = 11,       /* input data (FDT, ELF, archive) is malformed */
    OPAL_ERR_NOT_FOUND = 12,       /* a named node, property or file is absent */
    OPAL_ERR_WOULD_BLOCK = 13,     /* NBRecv: nothing to receive */
    OPAL_ERR_DELETED = 14,         /* the object was deleted while the thread waited on it */
    OPAL_ERR_BUSY = 15,            /* every list register holds an interrupt: try later */
    OPAL_ERR_COUNT
};

/* The detail of a refused invocation. r0 carries the error as always; on any
 * error of a Call or Send on a kernel object (and of one whose cap does not
 * resolve) the reply tag's length is OPAL_ERROR_DETAIL_LENGTH and
 *   MR0 = the index of the argument (message word) that failed, or one of
 *         the OPAL_ERROR_ARGUMENT_* values below when no one argument did;
 *   MR1, MR2 = for OPAL_ERR_RANGE, the inclusive bounds the argument had to
 *         lie in (0, 0 for any other error).
 * For OPAL_ERR_TRUNCATED, MR0 is the index of the first missing word (the
 * length the message had). docs/api.md lists what each invocation names. */
#define OPAL_ERROR_DETAIL_LENGTH 3u
#define OPAL_ERROR_ARGUMENT_NONE    0xffffffffu /* no argument: the kernel's own state */
#define OPAL_ERROR_ARGUMENT_LABEL   0xfffffffeu /* the label: the object has no such method */
#define OPAL_ERROR_ARGUMENT_INVOKED 0xfffffffdu /* the invoked cap, or its object's state */

/* A short lower-case name for an error, for logs and test output. Accepts a
 * code or its negation (-OPAL_ERR_*, as the FDT reader returns); anything
 * else is "unknown error". */
const char *opal_error_name(int error);

#endif

/* Names of the Opal error codes, for logs and test output. */
#include "opal/error.h"

static const char *const error_names[OPAL_ERR_COUNT] = {
    [OPAL_OK] = "ok",
    [OPAL_ERR_INVALID_ARGUMENT] = "invalid argument",
    [OPAL_ERR_INVALID_CAPABILITY] = "invalid capability",
    [OPAL_ERR_ILLEGAL_OPERATION] = "illegal operation",
    [OPAL_ERR_RANGE] = "out of range",
    [OPAL_ERR_ALIGNMENT] = "misaligned",
    [OPAL_ERR_FAILED_LOOKUP] = "lookup failed",
    [OPAL_ERR_TRUNCATED] = "truncated",
    [OPAL_ERR_DELETE_FIRST] = "delete first",
    [OPAL_ERR_REVOKE_FIRST] = "revoke first",
    [OPAL_ERR_NOT_ENOUGH_MEMORY] = "not enough memory",
    [OPAL_ERR_MALFORMED] = "malformed",
    [OPAL_ERR_NOT_FOUND] = "not found",
    [OPAL_ERR_WOULD_BLOCK] = "would block",
    [OPAL_ERR_DELETED] = "deleted while waiting",
    [OPAL_ERR_BUSY] = "busy",
};

const char *opal_error_name(int error)
{
    /* The FDT reader returns -OPAL_ERR_*: accept either sign. Negate as
     * unsigned so INT_MIN cannot overflow. */
    unsigned code = error < 0 ? 0u - (unsigned)error : (unsigned)error;

    if (code >= OPAL_ERR_COUNT)
        return "unknown error";
    return error_names[code];
}

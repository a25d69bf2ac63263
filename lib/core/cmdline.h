/* Boot command lines: space-separated words, "flag" or "key=value".
 * Freestanding: the kernel reads its own options, init reads its own. */
#ifndef CORE_CMDLINE_H
#define CORE_CMDLINE_H

#include <stdbool.h>
#include <stdint.h>

/* Whether `line` holds `word` as a whole word. */
bool cmdline_has_word(const char *line, const char *word);

/* The value of the last "key=value" word in `line` (`key` without '='), as
 * a pointer into `line` that runs to the next space or the end; NULL if no
 * word has that key. Later words win, as on Linux. */
const char *cmdline_value(const char *line, const char *key);

/* A decimal value from cmdline_value: OPAL_OK and *number, or
 * OPAL_ERR_NOT_FOUND (no such key) or OPAL_ERR_INVALID_ARGUMENT (empty, not
 * all digits, or above `max`). */
int cmdline_number(const char *line, const char *key, uint32_t max, uint32_t *number);

/* "key=<a>,<b>,...": 1 to `capacity` decimal numbers, each at most
 * 0xffffffff, separated by commas, into numbers[] and *count: OPAL_OK, or
 * OPAL_ERR_NOT_FOUND (no such key) or OPAL_ERR_INVALID_ARGUMENT (anything
 * else: an empty entry, a non-digit, a number that overflows, too many).
 * numbers[] may be written even on an error. */
int cmdline_numbers(const char *line, const char *key, uint32_t capacity, uint32_t *numbers,
                    uint32_t *count);

#endif

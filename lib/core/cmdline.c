/* Boot command line words (see cmdline.h). */
#include "opal/error.h"
#include "cmdline.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* How far `word` matches at `at`: its length if all of it does, else 0. */
static uint32_t match_length(const char *at, const char *word)
{
    uint32_t i = 0;
    while (word[i] && at[i] == word[i])
        i++;
    return word[i] == '\0' ? i : 0;
}

/* The start of the word after the one at `at`. */
static const char *next_word(const char *at)
{
    while (*at && !is_space(*at))
        at++;
    while (is_space(*at))
        at++;
    return at;
}

static const char *first_word(const char *line)
{
    while (is_space(*line))
        line++;
    return line;
}

bool cmdline_has_word(const char *line, const char *word)
{
    for (const char *at = first_word(line); *at; at = next_word(at)) {
        uint32_t length = match_length(at, word);
        if (length && (at[length] == '\0' || is_space(at[length])))
            return true;
    }
    return false;
}

const char *cmdline_value(const char *line, const char *key)
{
    const char *value = 0;
    for (const char *at = first_word(line); *at; at = next_word(at)) {
        uint32_t length = match_length(at, key);
        if (length && at[length] == '=')
            value = at + length + 1;
    }
    return value;
}

/* The decimal number at *at, up to max; *at moves past its digits.
 * false if there is no digit or the number is above max. */
static bool parse_decimal(const char **at, uint32_t max, uint32_t *number)
{
    uint64_t result = 0;
    const char *start = *at;
    for (; **at >= '0' && **at <= '9'; (*at)++) {
        result = result * 10 + (uint32_t)(**at - '0');
        if (result > max)
            return false;
    }
    *number = (uint32_t)result;
    return *at != start;
}

static bool value_ends(char c)
{
    return c == '\0' || is_space(c);
}

int cmdline_number(const char *line, const char *key, uint32_t max, uint32_t *number)
{
    const char *at = cmdline_value(line, key);
    uint32_t value;
    if (at == 0)
        return OPAL_ERR_NOT_FOUND;
    if (!parse_decimal(&at, max, &value) || !value_ends(*at))
        return OPAL_ERR_INVALID_ARGUMENT;
    *number = value;
    return OPAL_OK;
}

int cmdline_numbers(const char *line, const char *key, uint32_t capacity, uint32_t *numbers,
                    uint32_t *count)
{
    const char *at = cmdline_value(line, key);
    uint32_t found = 0;
    if (at == 0)
        return OPAL_ERR_NOT_FOUND;
    for (;;) {
        uint32_t value;
        if (found == capacity || !parse_decimal(&at, 0xffffffffu, &value))
            return OPAL_ERR_INVALID_ARGUMENT;
        numbers[found++] = value;
        if (value_ends(*at))
            break;
        if (*at++ != ',')
            return OPAL_ERR_INVALID_ARGUMENT;
    }
    *count = found;
    return OPAL_OK;
}

/* Host tests of boot command line parsing (lib/core/cmdline.c): whole words
 * only, the last value wins, numbers strictly decimal and bounded. */
#define UNIT_SUITE "cmdline"
#include "unit.h"

#include "core/cmdline.h"
#include "opal/error.h"

TEST(a_flag_matches_only_as_a_whole_word)
{
    CHECK(cmdline_has_word("opal.fastpath=off", "opal.fastpath=off"));
    CHECK(cmdline_has_word("  quiet\topal.fastpath=off  ", "opal.fastpath=off"));
    CHECK(!cmdline_has_word("opal.fastpath=offx", "opal.fastpath=off"));
    CHECK(!cmdline_has_word("xopal.fastpath=off", "opal.fastpath=off"));
    CHECK(!cmdline_has_word("opal.fastpath=o", "opal.fastpath=off"));
    CHECK(!cmdline_has_word("", "quiet"));
}

TEST(a_value_runs_to_the_next_space_and_the_last_one_wins)
{
    const char *line = "ctrl.report=3 ctrl.period=500 ctrl.report=7 ctrl.reports=9";
    const char *value = cmdline_value(line, "ctrl.report");
    CHECK(value == line + 42);
    CHECK(value[0] == '7' && value[1] == ' ');
    CHECK(cmdline_value(line, "ctrl") == NULL);
    CHECK(cmdline_value(line, "period") == NULL);
    CHECK_STR(cmdline_value("a ctrl.period=", "ctrl.period"), "");
}

TEST(numbers_are_decimal_and_bounded)
{
    uint32_t number = 12345;
    CHECK_EQ(cmdline_number("ctrl.period=500 x", "ctrl.period", 1000, &number), OPAL_OK);
    CHECK_EQ(number, 500);
    CHECK_EQ(cmdline_number("ctrl.period=1000", "ctrl.period", 1000, &number), OPAL_OK);
    CHECK_EQ(number, 1000);
    number = 7;
    CHECK_EQ(cmdline_number("ctrl.period=1001", "ctrl.period", 1000, &number),
             OPAL_ERR_INVALID_ARGUMENT);
    CHECK_EQ(cmdline_number("ctrl.period=99999999999999999999", "ctrl.period", 0xffffffffu,
                            &number), OPAL_ERR_INVALID_ARGUMENT);
    CHECK_EQ(cmdline_number("ctrl.period=4294967295", "ctrl.period", 0xffffffffu, &number),
             OPAL_OK);
    CHECK_EQ(number, 0xffffffffu);
    number = 7;
    CHECK_EQ(cmdline_number("ctrl.period=", "ctrl.period", 1000, &number),
             OPAL_ERR_INVALID_ARGUMENT);
    CHECK_EQ(cmdline_number("ctrl.period=-1", "ctrl.period", 1000, &number),
             OPAL_ERR_INVALID_ARGUMENT);
    CHECK_EQ(cmdline_number("ctrl.period=0x10", "ctrl.period", 1000, &number),
             OPAL_ERR_INVALID_ARGUMENT);
    CHECK_EQ(cmdline_number("ctrl.period=12us", "ctrl.period", 1000, &number),
             OPAL_ERR_INVALID_ARGUMENT);
    CHECK_EQ(cmdline_number("quiet", "ctrl.period", 1000, &number), OPAL_ERR_NOT_FOUND);
    CHECK_EQ(number, 7);   /* untouched on every error */
}

TEST(number_lists_are_whole_or_refused)
{
    uint32_t numbers[4] = { 0 }, count = 0;
    CHECK_EQ(cmdline_numbers("ctrl.arguments=1000,1 quiet", "ctrl.arguments", 4, numbers,
                             &count), OPAL_OK);
    CHECK_EQ(count, 2);
    CHECK_EQ(numbers[0], 1000);
    CHECK_EQ(numbers[1], 1);
    CHECK_EQ(cmdline_numbers("a.arguments=4294967295,0,7,8", "a.arguments", 4, numbers, &count),
             OPAL_OK);
    CHECK_EQ(count, 4);
    CHECK_EQ(numbers[0], 0xffffffffu);
    CHECK_EQ(cmdline_numbers("quiet", "a.arguments", 4, numbers, &count), OPAL_ERR_NOT_FOUND);
    /* An overflowing number is refused, not wrapped (4294968296 = 2^32 + 1000). */
    static const char *const bad[] = {
        "a.arguments=4294968296", "a.arguments=4294967296", "a.arguments=99999999999999999999",
        "a.arguments=", "a.arguments=1,", "a.arguments=,1", "a.arguments=1,,2",
        "a.arguments=1,2,3,4,5", "a.arguments=0x10", "a.arguments=-1", "a.arguments=1;2",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECKF(cmdline_numbers(bad[i], "a.arguments", 4, numbers, &count) ==
                   OPAL_ERR_INVALID_ARGUMENT, "%s", bad[i]);
}

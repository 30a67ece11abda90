#!/bin/sh
# Starts Chromium at the launcher's nice from its first instruction. Playwright spawns the browser
# itself, so a renice once the launch is done comes after the launch's own CPU (the launches of a
# flood of variants then went ahead of the default browser's pages). Playwright gives the browser a
# session of its own, so where the kernel schedules sessions as groups (autogroup) this session's
# group is the browser's alone. Every process and thread Chromium starts inherits the nice.
#   CRAWLFLEET_BROWSER_NICE       the nice, absolute (for the session's group)
#   CRAWLFLEET_BROWSER_NICE_BY    the same, as an increment over the runner's own (for nice -n)
#   CRAWLFLEET_BROWSER_EXECUTABLE the browser
if [ -w /proc/self/autogroup ]; then { echo "$CRAWLFLEET_BROWSER_NICE" > /proc/self/autogroup; } 2>/dev/null; fi
# As root, Chromium raises some of its own threads (display-critical -8), in processes it starts after the
# launch too; without CAP_SYS_NICE (the image's `node` user never has it) the kernel refuses those raises.
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null 2>&1; then
  exec setpriv --bounding-set -sys_nice --inh-caps -sys_nice nice -n "$CRAWLFLEET_BROWSER_NICE_BY" "$CRAWLFLEET_BROWSER_EXECUTABLE" "$@"
fi
exec nice -n "$CRAWLFLEET_BROWSER_NICE_BY" "$CRAWLFLEET_BROWSER_EXECUTABLE" "$@"

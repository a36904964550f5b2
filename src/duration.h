// Durations as people write them: Go's time.ParseDuration ("1m30s", "500ms", "1.5h"), plus a bare
// number of seconds ("20", "1.5"). Pure: no I/O.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "result.h"

namespace linger {

using Duration = std::chrono::nanoseconds;

// Parses `text`; "0" is valid. Negative, empty, unit-less components ("1m30"), unknown units,
// spaces and values beyond ~292 years are errors naming the value.
Result<Duration> ParseDuration(std::string_view text);

// `start` + `d` on the monotonic clock, or the far future when the sum would overflow:
// ParseDuration allows ~292 years, which no longer fits once the machine has been up for about an
// hour. Pure.
std::chrono::steady_clock::time_point DeadlineAfter(std::chrono::steady_clock::time_point start,
                                                    Duration d);

// Shortest readable form that ParseDuration reads back exactly: "0s", "500ms", "1m30s", "1.5s".
std::string FormatDuration(Duration d);

}  // namespace linger

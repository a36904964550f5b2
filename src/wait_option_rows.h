// The command-line rows of --timeout, --interval and --request-timeout, which wait-http, wait and
// wait-tcp share. Apart from wait_targets.h so that the waiting does not depend on the command
// line.
#pragma once

#include <array>
#include <string_view>

#include "cli.h"
#include "wait_targets.h"

namespace linger {

// The rows of --timeout, --interval and --request-timeout for a command whose Options has a
// `timing` member; `attempt` says what one attempt does, for --request-timeout's help.
template <typename Options>
constexpr std::array<OptionRow<Options>, 3> WaitTimingRows(std::string_view attempt_help) {
  return {{
      {{"timeout", "D", nullptr, "give up after D (default 30s; 0 waits forever)"},
       [](Options& options, std::string_view value) {
         return SetDuration<&WaitTiming::timeout>(options.timing, value);
       }},
      {{"interval", "D", nullptr, "pause after a failed attempt (default 1s)"},
       [](Options& options, std::string_view value) {
         return SetDuration<&WaitTiming::interval>(options.timing, value);
       }},
      {{"request-timeout", "D", nullptr, attempt_help},
       [](Options& options, std::string_view value) {
         return SetDuration<&WaitTiming::request_timeout>(options.timing, value);
       }},
  }};
}

}  // namespace linger

// The command-line rows of --until-idle, --ports and --ignore-from, which sleep and exec-with-delay
// share. Apart from idle.h so that the idle decision does not depend on the command line.
#pragma once

#include <array>
#include <string_view>

#include "cli.h"
#include "idle.h"

namespace linger {

// The rows of --until-idle, --ports and --ignore-from for a command whose Options has an `idle`
// member. With `env`, the LINGER_* variables stand in for absent flags (exec-with-delay).
template <typename Options>
constexpr std::array<OptionRow<Options>, 3> IdleOptionRows(bool env) {
  return {{
      {{"until-idle", "D", env ? "LINGER_UNTIL_IDLE" : nullptr,
        "end the delay once the serving ports have received\nnothing for D (never before D; D "
        "above 0)"},
       [](Options& options, std::string_view value) { return SetUntilIdle(options.idle, value); }},
      {{"ports", "LIST", env ? "LINGER_PORTS" : nullptr,
        "the serving ports, e.g. 8080,8443 (default: every\nlistening TCP port not bound only to "
        "loopback)"},
       [](Options& options, std::string_view value) { return SetPorts(options.idle, value); }},
      {{"ignore-from", "LIST", env ? "LINGER_IGNORE_FROM" : nullptr,
        "peers whose traffic does not count, addresses or\nCIDRs, e.g. the node's IP, where "
        "probes come from"},
       [](Options& options, std::string_view value) { return SetIgnoreFrom(options.idle, value); }},
  }};
}

}  // namespace linger

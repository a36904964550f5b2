#include "commands.h"

#include <fmt/core.h>

#include "duration.h"
#include "exit_status.h"
#include "log.h"
#include "signals.h"

namespace linger {

Invocation StartCommand(std::string_view name, std::string_view help, std::span<char* const> args,
                        std::span<const OptionSpec> specs, OptionOrder order) {
  Result<ParsedArgs> parsed = ParseArgs(args, specs, order);
  if (!parsed.ok()) {
    LogError("{}: {}", name, parsed.error());
    return {.args = std::nullopt, .exit_status = kExitUsage};
  }
  if (parsed->help) {
    fmt::print("{}", help);
    return {.args = std::nullopt, .exit_status = kExitSuccess};
  }
  LogSetup(parsed->quiet, parsed->log);
  return {.args = std::move(*parsed), .exit_status = kExitSuccess};
}

std::string FormatSince(std::chrono::steady_clock::time_point start) {
  return FormatDuration(std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start));
}

int StoppedBySignal(int sig, std::chrono::steady_clock::time_point start) {
  LogInfo("{} after {}, exiting with {}", SignalName(sig), FormatSince(start),
          kExitSignalBase + sig);
  return kExitSignalBase + sig;
}

}  // namespace linger

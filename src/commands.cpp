#include "commands.h"

#include <fmt/format.h>

#include "duration.h"
#include "log.h"
#include "signals.h"

namespace linger {

Result<ParsedArgs> ParseCommandLine(const CommandDoc& command, std::span<const OptionDoc> rows,
                                    std::span<char* const> args) {
  LogCommand(command.name);
  Result<ParsedArgs> parsed = ParseArgs(args, rows, command.order);
  if (parsed.ok() && !parsed->help) {
    if (Result<void> checked = CheckOperands(*parsed, command); !checked.ok()) {
      parsed = checked.error();
    }
  }
  if (!parsed.ok()) {
    Fail(parsed.error());
  } else if (parsed->help) {
    if (int status = Print(FormatHelp(command, rows)); status != kExitSuccess) {
      return Error{"", status};
    }
  } else {
    LogSetup(parsed->quiet, parsed->log);
  }
  return parsed;
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

int Print(std::string_view text) {
  if (Result<void> printed = WriteOut(text); !printed.ok()) return Fail(printed.error());
  return kExitSuccess;
}

int Fail(const Error& error) {
  LogError("{}", error);
  return error.status;
}

}  // namespace linger

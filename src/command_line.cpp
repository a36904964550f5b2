#include "command_line.h"

#include "log.h"

namespace linger {

Result<ParsedArgs> ParseCommandLine(const CommandDoc& command, std::span<const OptionDoc> rows,
                                    std::span<char* const> args) {
  LogCommand(command.name);
  Result<ParsedArgs> parsed = ParseArgs(args, rows, command.order);
  if (!parsed.ok()) return parsed;
  if (parsed->help) {
    if (Result<void> printed = WriteOut(FormatHelp(command, rows)); !printed.ok()) {
      return printed.error();
    }
    return parsed;
  }
  if (Result<void> checked = CheckOperands(*parsed, command); !checked.ok()) return checked.error();
  LogSetup(parsed->quiet, parsed->log);
  return parsed;
}

}  // namespace linger

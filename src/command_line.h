// How every command begins: its words parsed against its option table, its --help printed, the
// environment and the flags applied, and its lines sent where --quiet and --log say.
#pragma once

#include <cstdlib>
#include <optional>
#include <span>

#include "cli.h"
#include "exit_status.h"
#include "outcome.h"

namespace linger {

// A command line ready to act on, or the status to exit with at once.
template <typename Options>
struct Invocation {
  std::optional<ParsedArgs> args;  // empty after --help (status 0) or a usage error (status 2)
  Options options;                 // the defaults, then the environment, then the flags
  int exit_status = kExitSuccess;
};

// The part of StartCommand that does not depend on the options' type: names the command in
// error lines, parses, prints --help (then `help` is set), and sends linger's lines where --quiet
// and --log say. Errors are not logged yet: usage errors, or why the help could not be printed.
Result<ParsedArgs> ParseCommandLine(const CommandDoc& command, std::span<const OptionDoc> rows,
                                    std::span<char* const> args);

// What every command does first: parses its words against its option table, prints its help or
// its usage error, applies the environment and the flags, and sends its lines where --quiet and
// --log say.
template <typename Options>
Invocation<Options> StartCommand(const CommandDoc& command,
                                 std::span<const OptionRow<Options>> rows,
                                 std::span<char* const> args) {
  Invocation<Options> invocation;
  Result<ParsedArgs> parsed = ParseCommandLine(command, Docs(rows), args);
  if (!parsed.ok()) {
    invocation.exit_status = Fail(parsed.error());
  } else if (!parsed->help) {
    Result<void> applied = ApplyOptions(invocation.options, rows, *parsed, std::getenv);
    if (applied.ok()) {
      invocation.args = std::move(*parsed);
    } else {
      invocation.exit_status = Fail(applied.error());
    }
  }
  return invocation;
}

}  // namespace linger

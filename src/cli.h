// Command-line parsing shared by every command. Pure: no I/O.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace linger {

// One option a command accepts, named without its leading "--".
struct OptionSpec {
  std::string_view name;
  bool takes_value;
};

// Where a command's options may stand.
enum class OptionOrder {
  kInterleaved,   // before or after the positionals; "--" starts COMMAND (sleep, wait-http)
  kUntilCommand,  // the first non-option starts COMMAND, so its own flags are left alone
};

// One option as given, in command-line order; repeatable options appear once per use.
struct Option {
  std::string_view name;
  std::string_view value;  // empty for flags
};

// A command line taken apart.
struct ParsedArgs {
  bool help = false;     // --help or -h: print help and exit 0, nothing else is checked
  bool quiet = false;    // --quiet, common to every command
  std::string_view log;  // --log PATH, common to every command
  std::vector<Option> options;
  std::vector<std::string_view> positionals;
  std::vector<char*> command;  // COMMAND [ARG...], null-terminated for execvp; empty when absent
};

// Parses the words after the command's name. --help, --quiet and --log are accepted everywhere on
// top of `specs`. Errors name the offending word and suggest a near option name.
Result<ParsedArgs> ParseArgs(std::span<char* const> args, std::span<const OptionSpec> specs,
                             OptionOrder order);

// The entry of `candidates` closest to `word` by edit distance, or empty when none is close.
std::string_view ClosestMatch(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace linger

// Command-line parsing shared by every command: one table row per option, read alike by the
// parser, the environment fallback, the did-you-mean hint and --help. Pure: no I/O.
#pragma once

#include <algorithm>
#include <array>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "duration.h"
#include "result.h"

namespace linger {

// Where a command's options may stand.
enum class OptionOrder {
  kInterleaved,   // before or after the positionals; "--" starts COMMAND (sleep, wait-http)
  kUntilCommand,  // the first non-option starts COMMAND, so its own flags are left alone
};

// What the parser and --help need to know of one option.
struct OptionDoc {
  std::string_view name;        // without the leading "--"
  std::string_view value_name;  // "D", "LIST"; empty for a flag, which takes no value
  const char* env;              // the LINGER_* variable read when the flag is absent, or nullptr
  std::string_view help;        // for --help; '\n' continues on an indented line
};

// One option of a command whose settings are an `Options` struct: its documentation and how a
// value is applied. Each row is the only place its option is named.
template <typename Options>
struct OptionRow {
  OptionDoc doc;
  Result<void> (*set)(Options& options, std::string_view value);  // flags get ""
};

// Whether a command runs a COMMAND given after its own arguments.
enum class CommandArg { kNone, kOptional, kRequired };

// A command's shape and fixed texts; its option table sits between `about` and `footer` in --help.
struct CommandDoc {
  std::string_view name;      // "wait-http": the only place the command's name is written
  std::string_view synopsis;  // after "linger NAME ", e.g. "[OPTIONS] URL [-- COMMAND [ARG...]]"
  std::string_view about;     // what the command does
  std::string_view footer;    // exit statuses, an example
  OptionOrder order;
  std::string_view operand;  // its positional argument ("URL"), or empty when it takes none
  CommandArg command;
  bool operand_repeats = false;  // one or more operands, as wait-http URL...
};

// A command line taken apart; options refer to rows of the command's table by index.
struct ParsedArgs {
  bool help = false;     // --help or -h: print help and exit 0, nothing else is checked
  bool quiet = false;    // --quiet, common to every command
  std::string_view log;  // --log PATH, common to every command
  std::vector<std::pair<size_t, std::string_view>> options;  // (row, value) in command-line order
  std::vector<std::string_view> positionals;
  std::vector<char*> command;  // COMMAND [ARG...], null-terminated for exec; empty when absent
};

// Parses the words after the command's name against `rows`; --help, --quiet and --log are accepted
// everywhere on top. Errors are usage errors that name the offending word and suggest a near
// option name.
Result<ParsedArgs> ParseArgs(std::span<char* const> args, std::span<const OptionDoc> rows,
                             OptionOrder order);

// Checks that `parsed` has the operand and COMMAND that `command` takes; the usage error says
// what is missing or extra.
Result<void> CheckOperands(const ParsedArgs& parsed, const CommandDoc& command);

// The --help text: usage line, about, the options with their variables, the common options, footer.
std::string FormatHelp(const CommandDoc& command, std::span<const OptionDoc> rows);

// Returns the value of an environment variable, or nullptr when it is not set.
using GetEnv = std::function<const char*(const char* name)>;

// Applies each row's environment variable that is set and not empty, then the flags in
// command-line order (flags win; the last of a repeated flag wins, unless its setter collects).
// Errors are usage errors naming the variable or the flag.
template <typename Options>
Result<void> ApplyOptions(Options& options, std::span<const OptionRow<Options>> rows,
                          const ParsedArgs& parsed, const GetEnv& getenv) {
  for (const OptionRow<Options>& row : rows) {
    const char* value = row.doc.env != nullptr ? getenv(row.doc.env) : nullptr;
    // Empty means unset, as a Compose file's "LINGER_DELAY=${DELAY}" gives with DELAY unset.
    if (value == nullptr || *value == '\0') continue;
    if (Result<void> set = row.set(options, value); !set.ok()) {
      return Error::Usage(fmt::format("{}: {}", row.doc.env, set.error()));
    }
  }
  for (auto [index, value] : parsed.options) {
    if (Result<void> set = rows[index].set(options, value); !set.ok()) {
      return Error::Usage(fmt::format("--{}: {}", rows[index].doc.name, set.error()));
    }
  }
  return {};
}

// A row's setter for a Duration (or optional Duration) member of Options: &Options::delay.
template <auto field, typename Options>
Result<void> SetDuration(Options& options, std::string_view value) {
  Result<Duration> d = ParseDuration(value);
  if (!d.ok()) return d.error();
  options.*field = *d;
  return {};
}

// One table from two, in order: a command's own rows and rows it shares with other commands.
template <typename Options, size_t N, size_t M>
constexpr std::array<OptionRow<Options>, N + M> JoinRows(
    const std::array<OptionRow<Options>, N>& first,
    const std::array<OptionRow<Options>, M>& second) {
  std::array<OptionRow<Options>, N + M> rows{};
  std::copy(first.begin(), first.end(), rows.begin());
  std::copy(second.begin(), second.end(), rows.begin() + N);
  return rows;
}

// The option docs of a table, for ParseArgs and FormatHelp.
template <typename Options>
std::vector<OptionDoc> Docs(std::span<const OptionRow<Options>> rows) {
  std::vector<OptionDoc> docs;
  for (const OptionRow<Options>& row : rows) docs.push_back(row.doc);
  return docs;
}

// The entry of `candidates` closest to `word` by edit distance, or empty when none is close (or
// `word` is too long to be a typo of any of them).
std::string_view ClosestMatch(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace linger

// The command line of linger invoked under the name `sleep`, read the way coreutils sleep reads
// it, so that hooks and charts that hard-code `sleep 20` work unchanged. Pure: no I/O.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "duration.h"
#include "result.h"

namespace linger {

// True when the last path component of `argv0` is "sleep": "sleep", "/bin/sleep", "./sleep".
bool IsSleepName(std::string_view argv0);

// Reads one operand, NUMBER[SUFFIX]: a decimal as strtod reads it in the C locale ("20", "0.5",
// ".5", "1e-1", " +2"; also "inf" and "infinity"), then at most one of s (the default), m, h, d.
// Rounds up to the nanosecond; Duration::max() means forever (infinity, or beyond ~292 years).
// Negative values (but -0), NaN and anything else are an error quoting the operand.
Result<Duration> ParseSleepOperand(std::string_view text);

// What `sleep ARG...` asks for.
struct SleepCommandLine {
  enum class Action { kSleep, kHelp, kVersion, kUsageError };
  Action action = Action::kSleep;
  // kSleep: the sum of the operands; Duration::max() means forever.
  Duration total{0};
  // kUsageError: one message per line, each without the program name, in coreutils' words.
  std::vector<std::string> errors;
};

// Reads the words after argv[0] as GNU getopt reads coreutils sleep's: options may follow
// operands, "--" ends them, --help and --version may be abbreviated and act at once, any other
// option is an error; then every operand is checked and the valid ones summed. No word at all is
// a missing operand; "--" alone is no operand, which sums to 0.
SleepCommandLine ParseSleepCommandLine(std::span<char* const> args);

}  // namespace linger

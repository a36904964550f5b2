// linger's own lines: "linger: ..." on stderr, or appended to the --log file; and its results on
// stdout.
#pragma once

#include <fmt/core.h>

#include <string_view>

#include "result.h"

namespace linger {

enum class LogLevel { kInfo, kWarning, kError };

// Names the running command in error lines ("linger: sleep: ..."); set once, before parsing.
void LogCommand(std::string_view name);

// Chooses where lines go. Informational lines are dropped when `quiet`; a log file that cannot
// be opened falls back to stderr with a warning. An empty `path` means stderr.
void LogSetup(bool quiet, std::string_view path);

// Names the program at the start of every line: "linger" unless linger answers as `sleep`, which
// speaks as coreutils does, under the name it was called by.
void LogSetProgram(std::string_view name);

// Writes one line in a single write(2), so that concurrent writers do not interleave, with
// control bytes and invalid UTF-8 escaped, so that it stays one line; keeps errno. A line that
// cannot be written is dropped: a full disk or a closed pipe never changes what linger does.
void LogLine(LogLevel level, fmt::string_view format, fmt::format_args args);

// What linger is doing and why; silenced by --quiet.
template <typename... T>
void LogInfo(fmt::format_string<T...> format, T&&... args) {
  LogLine(LogLevel::kInfo, format, fmt::make_format_args(args...));
}

// Something went wrong but linger carries on; never silenced.
template <typename... T>
void LogWarn(fmt::format_string<T...> format, T&&... args) {
  LogLine(LogLevel::kWarning, format, fmt::make_format_args(args...));
}

// Why linger fails; always on stderr, and in the log file too when there is one.
template <typename... T>
void LogError(fmt::format_string<T...> format, T&&... args) {
  LogLine(LogLevel::kError, format, fmt::make_format_args(args...));
}

// Writes a result (help, version, an installed path) to stdout; the error says why it could not.
Result<void> WriteOut(std::string_view text);

}  // namespace linger

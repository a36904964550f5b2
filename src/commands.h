// linger's commands: each lives in its own cmd_*.cpp and is listed in main.cpp's table.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "cli.h"

namespace linger {

// A command line ready to act on, or the status to exit with at once: 0 after --help, 2 after a
// usage error, both already printed.
struct Invocation {
  std::optional<ParsedArgs> args;
  int exit_status;
};

// What every command does first: parses its words (ParseArgs), prints its help or its usage error
// prefixed with `name`, and sends its lines where --quiet and --log say.
Invocation StartCommand(std::string_view name, std::string_view help, std::span<char* const> args,
                        std::span<const OptionSpec> specs, OptionOrder order);

// The time since `start`, to the millisecond, as log lines print it ("1.5s").
std::string FormatSince(std::chrono::steady_clock::time_point start);

// Logs that stop signal `sig` ended a wait that began at `start`, and returns 128+sig.
int StoppedBySignal(int sig, std::chrono::steady_clock::time_point start);

// Runs a command on the words after its name and returns linger's exit status.
using CommandFunction = int (*)(std::span<char* const> args);

// linger sleep [OPTIONS] DURATION [-- COMMAND [ARG...]]
int RunSleep(std::span<char* const> args);
extern const std::string_view kSleepHelp;

// linger exec-with-delay [OPTIONS] [--] COMMAND [ARG...]
int RunExecWithDelay(std::span<char* const> args);
extern const std::string_view kExecWithDelayHelp;

// linger wait-http [OPTIONS] URL [-- COMMAND [ARG...]]
int RunWaitHttp(std::span<char* const> args);
extern const std::string_view kWaitHttpHelp;

// linger wait-tcp [OPTIONS] HOST:PORT [-- COMMAND [ARG...]]
int RunWaitTcp(std::span<char* const> args);
extern const std::string_view kWaitTcpHelp;

// linger install [--name NAME] DIR
int RunInstall(std::span<char* const> args);
extern const std::string_view kInstallHelp;

}  // namespace linger

// linger's entry point: finds the command in one table and hands it the rest of the line.
#include <fmt/format.h>

#include <cstdlib>
#include <span>
#include <string_view>

#include "cli.h"
#include "command_line.h"
#include "commands.h"
#include "exit_status.h"
#include "log.h"
#include "sleep_args.h"

namespace linger {
namespace {

struct Command {
  std::string_view name;
  std::string_view summary;
  CommandFunction run;
};

int RunHelp(std::span<char* const> args);
int RunVersion(std::span<char* const> args);

const Command kCommands[] = {
    {"sleep", "wait a duration, then exit or exec COMMAND (preStop hooks)", RunSleep},
    {"wait-http", "poll an HTTP(S) endpoint until it is ready, then exit or exec COMMAND",
     RunWaitHttp},
    {"wait-tcp", "wait until a TCP port accepts connections, then exit or exec COMMAND",
     RunWaitTcp},
    {"wait", "wait for http(s), tcp and dns targets at once, then exit or exec COMMAND", RunWait},
    {"exec-with-delay", "run COMMAND, hold its stop signal back for a while (entrypoint)",
     RunExecWithDelay},
    {"install", "copy linger into DIR, e.g. an emptyDir shared with another image", RunInstall},
    {"version", "print the version (also --version, -V)", RunVersion},
    {"help", "show help (also --help, COMMAND --help): help [COMMAND]", RunHelp},
};

// The other spellings of help and version that people type.
constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
    {"--help", "help"}, {"-h", "help"}, {"--version", "version"}, {"-V", "version"}};

const Command* FindCommand(std::string_view name) {
  for (auto [alias, command] : kAliases) {
    if (name == alias) name = command;
  }
  for (const Command& c : kCommands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

constexpr CommandDoc kVersionDoc{
    .name = "version",
    .synopsis = "",
    .about = "Prints linger's version on stdout (also: linger --version, linger -V).",
    .footer = "",
    .order = OptionOrder::kInterleaved,
    .operand = "",
    .command = CommandArg::kNone,
};

// Takes the options every command takes, so that a stray word is a usage error, not ignored.
int RunVersion(std::span<char* const> args) {
  Result<ParsedArgs> parsed = ParseCommandLine(kVersionDoc, {}, args);
  if (!parsed.ok()) return Fail(parsed.error());
  if (parsed->help) return kExitSuccess;
  return Print("linger " LINGER_VERSION "\n");
}

int UnknownCommand(std::string_view name) {
  std::vector<std::string_view> names;
  for (const Command& c : kCommands) names.push_back(c.name);
  std::string_view hint = ClosestMatch(name, names);
  if (name.starts_with("-")) {
    return Fail(Error::Usage(fmt::format("unknown option '{}' (try 'linger --help')", name)));
  }
  if (hint.empty()) {
    return Fail(Error::Usage(fmt::format("unknown command '{}' (try 'linger --help')", name)));
  }
  return Fail(Error::Usage(fmt::format("unknown command '{}' (did you mean '{}'?)", name, hint)));
}

int RunHelp(std::span<char* const> args) {
  if (args.empty()) {
    std::string usage =
        "Usage: linger COMMAND [OPTIONS] [ARG...]\n\n"
        "Graceful shutdown for containers that have no shell.\n\nCommands:\n";
    for (const Command& c : kCommands) usage += fmt::format("  {:<16} {}\n", c.name, c.summary);
    usage +=
        "\nEvery command takes --quiet and --log PATH; 'linger help COMMAND' shows its options.\n";
    return Print(usage);
  }
  const Command* command = FindCommand(args[0]);
  if (command == nullptr) return UnknownCommand(args[0]);
  // Every command's own --help; help has no more to say than its line above.
  char help[] = "--help";
  char* words[] = {help};
  if (command->run == RunHelp) return RunHelp({});
  return command->run(std::span<char* const>(words, 1));
}

int Main(std::span<char* const> args) {
  if (args.empty()) {
    return Fail(Error::Usage("missing COMMAND (try 'linger --help')"));
  }
  const Command* command = FindCommand(args[0]);
  if (command == nullptr) return UnknownCommand(args[0]);
  return command->run(args.subspan(1));
}

}  // namespace
}  // namespace linger

int main(int argc, char** argv) {
  std::span<char* const> args(argv, static_cast<size_t>(argc));
  // One file, two personalities, as busybox's applets: see cmd_sleep_dropin.cpp.
  if (!args.empty() && linger::IsSleepName(args[0])) return linger::RunSleepDropIn(args);
  // argv[0] is the program's own name, when the caller gave one at all.
  if (!args.empty()) args = args.subspan(1);
  return linger::Main(args);
}

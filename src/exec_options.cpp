#include "exec_options.h"

#include <fmt/format.h>

#include "signals.h"

namespace linger {
namespace {

constexpr OptionSpec kSpecs[] = {
    {"delay", true},      {"delay-on", true},     {"signal", true},
    {"kill-after", true}, {"success-exit", true}, {"group", false},
    {"until-idle", true}, {"ports", true},        {"ignore-from", true}};

// Each option that has an environment fallback, and its variable.
struct EnvFallback {
  std::string_view option;
  const char* variable;
};
constexpr EnvFallback kEnvFallbacks[] = {{"delay", "LINGER_DELAY"},
                                         {"delay-on", "LINGER_DELAY_ON"},
                                         {"signal", "LINGER_SIGNAL"},
                                         {"kill-after", "LINGER_KILL_AFTER"},
                                         {"success-exit", "LINGER_SUCCESS_EXIT"},
                                         {"until-idle", "LINGER_UNTIL_IDLE"},
                                         {"ports", "LINGER_PORTS"},
                                         {"ignore-from", "LINGER_IGNORE_FROM"}};

// Sets one option from its text; the error names the value.
std::optional<Error> Apply(ExecOptions& options, std::string_view name, std::string_view value) {
  if (name == "group") {
    options.group = true;
  } else if (name == "delay" || name == "kill-after") {
    Result<Duration> d = ParseDuration(value);
    if (!d.ok()) return Error{d.error()};
    if (name == "delay") {
      options.delay = *d;
    } else {
      options.kill_after = *d;
    }
  } else if (name == "delay-on") {
    Result<std::vector<int>> list = ParseSignalList(value);
    if (!list.ok()) return Error{list.error()};
    for (int sig : *list) {
      // linger can only hold back what it receives: KILL and STOP never reach it, and SIGCHLD
      // reports COMMAND's own exit.
      if (!IsForwardable(sig)) {
        return Error{fmt::format("{} cannot be held back (in '{}')", SignalName(sig), value)};
      }
    }
    options.delay_on = *list;
  } else if (name == "signal") {
    Result<int> sig = ParseSignal(value);
    if (!sig.ok()) return Error{sig.error()};
    options.signal = *sig;
  } else if (name == "success-exit") {
    Result<IntList> list = IntList::Parse(value, 0, 255, "exit status list");
    if (!list.ok()) return Error{list.error()};
    options.success_exit = *list;
  } else {
    return ApplyIdleOption(options.idle, name, value);
  }
  return std::nullopt;
}

}  // namespace

std::span<const OptionSpec> ExecOptionSpecs() { return kSpecs; }

Result<ExecOptions> ResolveExecOptions(std::span<const Option> flags, const GetEnv& getenv) {
  ExecOptions options;
  for (const EnvFallback& fallback : kEnvFallbacks) {
    const char* value = getenv(fallback.variable);
    // Empty means unset, as a Compose file's "LINGER_DELAY=${DELAY}" gives with DELAY unset.
    if (value == nullptr || *value == '\0') continue;
    if (std::optional<Error> error = Apply(options, fallback.option, value)) {
      return Error{fmt::format("{}: {}", fallback.variable, error->message)};
    }
  }
  for (const Option& flag : flags) {
    if (std::optional<Error> error = Apply(options, flag.name, flag.value)) {
      return Error{fmt::format("--{}: {}", flag.name, error->message)};
    }
  }
  return options;
}

}  // namespace linger

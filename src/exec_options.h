// The options of exec-with-delay, from flags and LINGER_* environment variables. Pure: the
// environment is looked up through a function, so tests need no real environment.
#pragma once

#include <signal.h>

#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "cli.h"
#include "duration.h"
#include "idle.h"
#include "int_list.h"
#include "result.h"

namespace linger {

// What exec-with-delay does, as SPEC's option table describes it.
struct ExecOptions {
  Duration delay = std::chrono::seconds(20);  // COMMAND keeps running this long after the signal
  std::vector<int> delay_on = {SIGTERM};      // signals that are held back
  int signal = 0;                             // sent when the delay ends; 0: the held-back one
  std::optional<Duration> kill_after;         // SIGKILL this long after the stop signal
  IntList success_exit;                       // statuses reported as 0
  bool group = false;                         // signal COMMAND's whole process group
  IdleOptions idle;                           // --until-idle, --ports, --ignore-from
};

// The option names exec-with-delay accepts on its command line.
std::span<const OptionSpec> ExecOptionSpecs();

// Returns the value of an environment variable, or nullptr when it is not set.
using GetEnv = std::function<const char*(const char* name)>;

// Starts from the defaults, applies each LINGER_* variable that is set and not empty, then the
// flags in command-line order (flags win, the last of a repeated flag wins). Errors name the flag's
// value or the variable.
Result<ExecOptions> ResolveExecOptions(std::span<const Option> flags, const GetEnv& getenv);

}  // namespace linger

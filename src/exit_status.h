// Every exit status linger can return, and the pure rules that produce them.
#pragma once

#include "result.h"

namespace linger {

enum ExitStatus : int {
  kExitSuccess = 0,
  kExitFailure = 1,  // gave up or failed at run time
  kExitUsage = 2,    // bad command line or environment value
  kExitCannotExecute = 126,
  kExitNotFound = 127,
  kExitSignalBase = 128,  // 128+N: stopped or killed by signal N
};

// The status for an execvp() that failed with `err`: 127 when nothing was found, else 126.
int ExitStatusForExecError(int err);

// The status a command that ends with `error` exits with: 2 for usage, 128+N when stop signal N
// ended it, 126 or 127 when COMMAND did not run, else 1. The only place a kind becomes a status.
int ExitStatusFor(const Error& error);

// The shell's rule for a waitpid() status: the exit code, or 128+N when killed by signal N.
int ExitStatusFromWait(int wait_status);

}  // namespace linger

#include "exit_status.h"

#include <sys/wait.h>

#include <cerrno>
#include <csignal>

#include "catch.h"

using linger::ExitStatusForExecError;
using linger::ExitStatusFromWait;

TEST_CASE("a command that does not exist is 127, one that cannot run is 126") {
  CHECK(ExitStatusForExecError(ENOENT) == 127);
  CHECK(ExitStatusForExecError(ENOTDIR) == 127);
  CHECK(ExitStatusForExecError(EACCES) == 126);
  CHECK(ExitStatusForExecError(ENOEXEC) == 126);
  CHECK(ExitStatusForExecError(EISDIR) == 126);
}

TEST_CASE("wait statuses map to the exit code or 128+N") {
  for (int code : {0, 1, 2, 42, 255}) CHECK(ExitStatusFromWait(W_EXITCODE(code, 0)) == code);
  CHECK(ExitStatusFromWait(W_EXITCODE(0, SIGTERM)) == 143);
  CHECK(ExitStatusFromWait(W_EXITCODE(0, SIGKILL)) == 137);
  CHECK(ExitStatusFromWait(W_EXITCODE(0, SIGSEGV) | WCOREFLAG) == 139);
}

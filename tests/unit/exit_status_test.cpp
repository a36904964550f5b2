#include "exit_status.h"

#include <sys/wait.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

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

TEST_CASE("an error's kind decides its exit status") {
  using linger::Error;
  using linger::ExitStatusFor;
  CHECK(ExitStatusFor(Error::Usage("--bogus")) == 2);
  CHECK(ExitStatusFor(Error::Stopped("", SIGTERM)) == 143);
  CHECK(ExitStatusFor(Error::Exec("cannot run 'x'", ENOENT)) == 127);
  CHECK(ExitStatusFor(Error::Exec("cannot run 'x'", EACCES)) == 126);
  // A value that does not parse is a usage error only once the command line calls it one.
  CHECK(ExitStatusFor(Error::Invalid("invalid duration 'x'")) == 1);
  CHECK(ExitStatusFor(Error::TimedOut("timed out")) == 1);
  CHECK(ExitStatusFor(Error::System("fork", EAGAIN)) == 1);
  CHECK(ExitStatusFor(Error::NotFound("no such host")) == 1);
  CHECK(ExitStatusFor(Error{"gave up"}) == 1);
}

TEST_CASE("a system error names the call and its errno") {
  linger::Error error = linger::Error::System("fork", EAGAIN);
  CHECK(error.kind == linger::ErrorKind::kSystem);
  CHECK(error.code == EAGAIN);
  CHECK(error.message == std::string("fork: ") + std::strerror(EAGAIN));
  CHECK(linger::Error::System("", ENOENT).message == std::strerror(ENOENT));
  linger::Error in = error.In("cannot start");
  CHECK(in.message == "cannot start: " + error.message);
  CHECK(in.kind == linger::ErrorKind::kSystem);
  CHECK(in.code == EAGAIN);
}

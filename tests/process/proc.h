// What /proc says about a running process: the tests' one place for reading it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace test {

// The text of /proc/PID/status ("" once the process is gone).
std::string ProcStatus(pid_t pid);

// A numeric field of /proc/PID/status, such as "voluntary_ctxt_switches"; fails the test when
// the field is missing.
long StatusField(pid_t pid, const std::string& name);

// True when process `pid` has `sig` blocked (SigBlk in /proc/PID/status): how a test knows that a
// command which prints nothing is waiting for its stop signals.
bool SignalBlocked(pid_t pid, int sig);

// The NUL-separated arguments of `pid` (/proc/PID/cmdline; "" once it is gone).
std::string CommandLine(pid_t pid);

// The direct children of `pid` (zombies included until they are reaped).
std::vector<pid_t> Children(pid_t pid);

// The pids of `pid` in each pid namespace, outermost first (the NSpid line of /proc/PID/status).
std::vector<pid_t> NamespacePids(pid_t pid);

// The fields of /proc/PID/stat that the tests look at (proc(5)).
struct ProcStat {
  pid_t pid = 0;
  char state = '?';  // R running, S sleeping, Z zombie, ...
  pid_t ppid = 0;
  pid_t pgrp = 0;
  pid_t session = 0;
  int tty = 0;
  pid_t tpgid = 0;     // the foreground process group of its controlling terminal
  long cpu_ticks = 0;  // utime + stime, in clock ticks
};

// Reads the first line of `text` as a /proc/PID/stat line (as `cat /proc/$$/stat` prints it);
// nothing when it is not one.
std::optional<ProcStat> ParseStat(const std::string& text);

// /proc/PID/stat of a running process; nothing once it is gone.
std::optional<ProcStat> Stat(pid_t pid);

// The name the process runs under (/proc/PID/comm, without the newline; "" once it is gone).
std::string Comm(pid_t pid);

// Where /proc/PID/exe points ("" once the process is gone).
std::string Executable(pid_t pid);

// The open descriptors of `pid` (0 once it is gone).
size_t OpenDescriptors(pid_t pid);

// The lowest descriptor number `pid` does not use: the next one it would open.
int LowestFreeDescriptor(pid_t pid);

// True when `pid` has a socket open among its first 64 descriptors.
bool HasSocket(pid_t pid);

}  // namespace test

#include "proc.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>

#include "catch.h"
#include "process.h"

namespace test {
namespace {

std::string ProcPath(pid_t pid, const std::string& name) {
  return "/proc/" + std::to_string(pid) + "/" + name;
}

}  // namespace

std::string ProcStatus(pid_t pid) { return ReadFile(ProcPath(pid, "status")); }

long StatusField(pid_t pid, const std::string& name) {
  std::string status = ProcStatus(pid);
  size_t at = status.find("\n" + name + ":");
  REQUIRE(at != std::string::npos);
  return std::stol(status.substr(at + name.size() + 2));
}

bool SignalBlocked(pid_t pid, int sig) {
  std::string status = ProcStatus(pid);
  size_t at = status.find("SigBlk:\t");
  if (at == std::string::npos) return false;
  unsigned long long mask = std::stoull(status.substr(at + 8, 16), nullptr, 16);
  return (mask >> (sig - 1) & 1) != 0;
}

std::string CommandLine(pid_t pid) { return ReadFile(ProcPath(pid, "cmdline")); }

std::vector<pid_t> Children(pid_t pid) {
  std::string text = ReadFile(ProcPath(pid, "task/" + std::to_string(pid) + "/children"));
  std::vector<pid_t> children;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) children.push_back(std::stoi(text.substr(start, end - start)));
    start = end + 1;
  }
  return children;
}

std::vector<pid_t> NamespacePids(pid_t pid) {
  std::string status = ProcStatus(pid);
  size_t at = status.find("\nNSpid:");
  std::vector<pid_t> pids;
  if (at == std::string::npos) return pids;
  const char* p = status.c_str() + at + 7;
  for (char* end;; p = end) {
    long value = std::strtol(p, &end, 10);
    if (end == p) return pids;
    pids.push_back(static_cast<pid_t>(value));
  }
}

std::optional<ProcStat> ParseStat(const std::string& text) {
  const std::string line = text.substr(0, text.find('\n'));
  // "pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime
  // stime ...": comm may hold spaces and parentheses, so the fields are counted from its last ')'.
  size_t comm_end = line.rfind(") ");
  ProcStat stat;
  int pid = 0;
  if (comm_end == std::string::npos || std::sscanf(line.c_str(), "%d", &pid) != 1) return {};
  unsigned long utime = 0, stime = 0;
  if (std::sscanf(line.c_str() + comm_end + 2, "%c %d %d %d %d %d %*u %*u %*u %*u %*u %lu %lu",
                  &stat.state, &stat.ppid, &stat.pgrp, &stat.session, &stat.tty, &stat.tpgid,
                  &utime, &stime) != 8) {
    return {};
  }
  stat.pid = pid;
  stat.cpu_ticks = static_cast<long>(utime + stime);
  return stat;
}

std::optional<ProcStat> Stat(pid_t pid) { return ParseStat(ReadFile(ProcPath(pid, "stat"))); }

std::string Comm(pid_t pid) {
  std::string comm = ReadFile(ProcPath(pid, "comm"));
  if (!comm.empty() && comm.back() == '\n') comm.pop_back();
  return comm;
}

std::string Executable(pid_t pid) {
  char target[4096] = {};
  if (readlink(ProcPath(pid, "exe").c_str(), target, sizeof target - 1) < 0) return "";
  return target;
}

size_t OpenDescriptors(pid_t pid) {
  DIR* dir = opendir(ProcPath(pid, "fd").c_str());
  if (dir == nullptr) return 0;
  size_t count = 0;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count;
}

int LowestFreeDescriptor(pid_t pid) {
  int fd = 0;
  while (access(ProcPath(pid, "fd/" + std::to_string(fd)).c_str(), F_OK) == 0) ++fd;
  return fd;
}

bool HasSocket(pid_t pid) {
  for (int fd = 0; fd < 64; ++fd) {
    char target[64] = {};
    if (readlink(ProcPath(pid, "fd/" + std::to_string(fd)).c_str(), target, sizeof target - 1) >
            0 &&
        std::string(target).rfind("socket:", 0) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace test

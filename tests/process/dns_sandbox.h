// Name resolution tests in a world of their own: a network namespace with only a loopback
// interface, where scripted DNS servers listen on 127.0.0.N:53, and a mount namespace where
// /etc/hosts and /etc/resolv.conf say what the test wants. Nothing the machine or another test
// does can answer, and nothing here leaks out.
#pragma once

#include <string>
#include <vector>

#include "process.h"

namespace test {

// Moves the whole test process into new namespaces (ctest runs each test case in a process of
// its own); every process it starts from then on is inside too.
class DnsSandbox {
 public:
  // Puts `hosts` and `resolv_conf` in place of the machine's files.
  DnsSandbox(const std::string& hosts, const std::string& resolv_conf);
  DnsSandbox(const DnsSandbox&) = delete;
  DnsSandbox& operator=(const DnsSandbox&) = delete;
  ~DnsSandbox();  // back to the namespaces the test started in

  // Why the sandbox could not be made (not root, no namespaces), "" when it is ready.
  const std::string& skip() const { return skip_; }
  // Mounts the file at `path` (which may be a FIFO) over /etc/`name`.
  void Place(const std::string& name, const std::string& path);
  // Makes connections to the IPv4 address `address` hang, as to a host whose firewall drops them:
  // it is routed to the loopback, where it is not local and nothing forwards, so every packet to
  // it vanishes without an answer. Only this namespace sees the route.
  void DropConnections(const std::string& address);
  // A scratch directory for the test's files.
  const std::string& dir() const { return dir_.path(); }

 private:
  std::string skip_;
  TempDir dir_;
  int original_net_ = -1, original_mnt_ = -1;
};

// The dns_server helper (tests/helpers/dns_server.cpp) on `address`:53, started and listening.
class DnsServer {
 public:
  DnsServer(const std::string& address, std::vector<std::string> args);
  // The "query NAME TYPE" lines it has printed.
  std::string Queries() const { return process_.Stdout().substr(sizeof "ready\n" - 1); }

 private:
  Process process_;
};

}  // namespace test

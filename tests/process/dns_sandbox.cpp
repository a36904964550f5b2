#include "dns_sandbox.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <utility>

#include "catch.h"

namespace test {
namespace {

// A new network namespace has its loopback interface down.
bool BringLoopbackUp() {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  ifreq request{};
  std::strcpy(request.ifr_name, "lo");
  bool up = ioctl(fd, SIOCGIFFLAGS, &request) == 0;
  request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
  up = up && ioctl(fd, SIOCSIFFLAGS, &request) == 0;
  close(fd);
  return up;
}

}  // namespace

DnsSandbox::DnsSandbox(const std::string& hosts, const std::string& resolv_conf) {
  if (!IsRoot()) {
    skip_ = "network and mount namespaces need root";
    return;
  }
  original_net_ = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  original_mnt_ = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  if (original_net_ < 0 || original_mnt_ < 0 || unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) {
    skip_ = std::string("cannot make namespaces: ") + std::strerror(errno);
    return;
  }
  // Private, so that the bind mounts below stay in this namespace.
  REQUIRE(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0);
  REQUIRE(BringLoopbackUp());
  std::ofstream(dir() + "/hosts") << hosts;
  std::ofstream(dir() + "/resolv.conf") << resolv_conf;
  Place("hosts", dir() + "/hosts");
  Place("resolv.conf", dir() + "/resolv.conf");
}

DnsSandbox::~DnsSandbox() {
  // The new namespaces go away with their last process; every child has been reaped by now.
  for (auto [fd, type] : {std::pair{original_net_, CLONE_NEWNET}, {original_mnt_, CLONE_NEWNS}}) {
    if (fd < 0) continue;
    if (skip_.empty() && setns(fd, type) != 0) std::perror("setns");
    close(fd);
  }
}

void DnsSandbox::Place(const std::string& name, const std::string& path) {
  std::string target = "/etc/" + name;
  if (mount(path.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    FAIL("mount --bind " << path << " " << target << ": " << std::strerror(errno));
  }
}

void DnsSandbox::DropConnections(const std::string& address) {
  rtentry route{};
  auto& destination = reinterpret_cast<sockaddr_in&>(route.rt_dst);
  destination.sin_family = AF_INET;
  REQUIRE(inet_pton(AF_INET, address.c_str(), &destination.sin_addr) == 1);
  reinterpret_cast<sockaddr_in&>(route.rt_genmask).sin_family = AF_INET;
  route.rt_flags = RTF_UP | RTF_HOST;
  char loopback[] = "lo";
  route.rt_dev = loopback;
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  int added = ioctl(fd, SIOCADDRT, &route);
  int error = errno;
  close(fd);
  if (added != 0) FAIL("route " << address << " to lo: " << std::strerror(error));
}

DnsServer::DnsServer(const std::string& address, std::vector<std::string> args)
    : process_([&] {
        args.insert(args.begin(), {Helper("dns_server"), "--address", address});
        return args;
      }()) {
  INFO(process_.Stderr());
  REQUIRE(process_.WaitForStdout("ready"));
}

}  // namespace test

// A scripted DNS server for wait-http's tests, misbehaving on request.
//
//   dns_server [--address IP] [--port N] [MODE...] [NAME=ADDRESS...] [--cname ALIAS=NAME...]
//
// Listens on UDP IP:N (default 127.0.0.1:53) and answers A and AAAA queries with the addresses
// given for NAME (IPv4 or IPv6, repeatable); an ALIAS gets a CNAME to NAME and NAME's addresses.
// Other names get "no such name". Modes:
//   --silent                never answer
//   --drop-aaaa             answer A queries, never AAAA ones
//   --other-question NAME   answer with the right id, but about NAME
//   --other-owner NAME      answer the question, with records owned by NAME
// Prints "ready" once it listens, then one "query NAME TYPE" line per query.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

// `name` in wire form: length-prefixed labels, then a zero.
std::string Encode(const std::string& name) {
  std::string wire;
  size_t start = 0;
  while (start < name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    wire += static_cast<char>(dot - start);
    wire += name.substr(start, dot - start);
    start = dot + 1;
  }
  return wire + '\0';
}

// One resource record: owner (wire form), type, class IN, TTL 60, data.
std::string Record(const std::string& owner, int type, const std::string& data) {
  std::string fields = {0, static_cast<char>(type),       0, 1, 0, 0, 0, 60,
                        0, static_cast<char>(data.size())};
  return owner + fields + data;
}

}  // namespace

int main(int argc, char** argv) {
  std::string address = "127.0.0.1";
  int port = 53;
  bool silent = false, drop_aaaa = false;
  std::string other_question, other_owner;
  std::map<std::string, std::vector<std::string>> records;  // name -> binary addresses
  std::map<std::string, std::string> aliases;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string next = i + 1 < argc ? argv[i + 1] : "";
    if (arg == "--address") {
      address = next, ++i;
    } else if (arg == "--port") {
      port = std::atoi(next.c_str()), ++i;
    } else if (arg == "--silent") {
      silent = true;
    } else if (arg == "--drop-aaaa") {
      drop_aaaa = true;
    } else if (arg == "--other-question") {
      other_question = next, ++i;
    } else if (arg == "--other-owner") {
      other_owner = next, ++i;
    } else if (arg == "--cname" && next.find('=') != std::string::npos) {
      aliases[next.substr(0, next.find('='))] = next.substr(next.find('=') + 1), ++i;
    } else if (size_t equals = arg.find('='); equals != std::string::npos) {
      unsigned char bytes[16];
      std::string text = arg.substr(equals + 1);
      bool v4 = inet_pton(AF_INET, text.c_str(), bytes) == 1;
      if (!v4 && inet_pton(AF_INET6, text.c_str(), bytes) != 1) return 2;
      records[arg.substr(0, equals)].emplace_back(reinterpret_cast<char*>(bytes), v4 ? 4 : 16);
    } else {
      std::fprintf(stderr, "dns_server: unknown argument %s\n", arg.c_str());
      return 2;
    }
  }
  sockaddr_storage self{};
  socklen_t self_length = sizeof(sockaddr_in);
  auto* in = reinterpret_cast<sockaddr_in*>(&self);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&self);
  if (inet_pton(AF_INET, address.c_str(), &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons(static_cast<uint16_t>(port));
  } else if (inet_pton(AF_INET6, address.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<uint16_t>(port));
    self_length = sizeof(sockaddr_in6);
  } else {
    return 2;
  }
  int fd = socket(self.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&self), self_length) != 0) {
    std::perror("dns_server: bind");
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  while (true) {
    unsigned char message[512];
    sockaddr_storage peer{};
    socklen_t peer_length = sizeof peer;
    ssize_t n =
        recvfrom(fd, message, sizeof message, 0, reinterpret_cast<sockaddr*>(&peer), &peer_length);
    if (n < 12) continue;
    // The question: labels up to the root, then type and class.
    std::string name;
    size_t at = 12;
    while (at < static_cast<size_t>(n) && message[at] != 0) {
      if (!name.empty()) name += '.';
      name.append(reinterpret_cast<char*>(message) + at + 1, message[at]);
      at += 1 + message[at];
    }
    at += 5;  // root label, type, class
    if (at > static_cast<size_t>(n)) continue;
    int type = message[at - 3];
    std::printf("query %s %d\n", name.c_str(), type);
    std::fflush(stdout);
    if (silent || (drop_aaaa && type == 28)) continue;

    std::string reply(reinterpret_cast<char*>(message), 12);
    reply[2] = static_cast<char>(0x81);  // a reply, recursion desired
    reply[3] = static_cast<char>(0x80);  // recursion available, no error
    reply[6] = reply[7] = reply[8] = reply[9] = reply[10] = reply[11] = 0;
    if (other_question.empty()) {
      reply.append(reinterpret_cast<char*>(message) + 12, at - 12);
    } else {
      reply += Encode(other_question) + std::string{0, static_cast<char>(type), 0, 1};
    }
    // Records name the question by a pointer to it, unless another owner is asked for.
    std::string owner = other_owner.empty() ? std::string("\xc0\x0c", 2) : Encode(other_owner);
    std::string answers;
    int count = 0;
    std::string target = name;
    if (auto alias = aliases.find(name); alias != aliases.end()) {
      target = alias->second;
      answers += Record(owner, 5, Encode(target));
      owner = Encode(target);
      ++count;
    }
    auto found = records.find(target);
    if (found == records.end() && count == 0) {
      reply[3] = static_cast<char>(0x83);  // no such name
    } else if (found != records.end()) {
      for (const std::string& bytes : found->second) {
        if (bytes.size() != (type == 1 ? 4u : type == 28 ? 16u : 0u)) continue;
        answers += Record(owner, type, bytes);
        ++count;
      }
    }
    reply[7] = static_cast<char>(count);
    reply += answers;
    sendto(fd, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&peer), peer_length);
  }
}

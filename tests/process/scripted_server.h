// The scripted HTTP server (the program tests/helpers/http_server.cpp) as a test fixture.
#pragma once

#include <string>
#include <vector>

#include "catch.h"
#include "process.h"

namespace test {

// Starts the helper with `args` and learns the port it listens on; it stops with the test.
class HttpServer {
 public:
  explicit HttpServer(std::vector<std::string> args) : process_(Command(std::move(args))) {
    REQUIRE(Eventually([&] { return process_.Stdout().find('\n') != std::string::npos; }));
    port_ = std::stoi(process_.Stdout().substr(5));  // "port N"
  }
  int port() const { return port_; }
  // http://127.0.0.1:PORT/PATH
  std::string Url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  Process& process() { return process_; }

 private:
  static std::vector<std::string> Command(std::vector<std::string> args) {
    args.insert(args.begin(), Helper("http_server"));
    return args;
  }
  Process process_;
  int port_ = 0;
};

}  // namespace test

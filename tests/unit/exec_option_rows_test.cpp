#include "exec_option_rows.h"

#include <signal.h>

#include <algorithm>
#include <map>
#include <string>

#include "catch.h"

using linger::ExecOptions;
using namespace std::chrono_literals;

namespace {

// An environment made of the given variables only.
linger::GetEnv Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

// A flag as given: its name without "--", and its value ("" for a flag that takes none).
using Option = std::pair<std::string_view, std::string_view>;

// exec-with-delay's options after the given flags, in order, and the environment.
linger::Result<ExecOptions> Resolve(const std::vector<Option>& flags, const linger::GetEnv& env) {
  auto rows = linger::ExecOptionRows();
  linger::ParsedArgs parsed;
  for (const Option& flag : flags) {
    auto row =
        std::find_if(rows.begin(), rows.end(), [&](auto& r) { return r.doc.name == flag.first; });
    REQUIRE(row != rows.end());
    parsed.options.emplace_back(static_cast<size_t>(row - rows.begin()), flag.second);
  }
  ExecOptions options;
  linger::Result<void> applied = linger::ApplyOptions(options, rows, parsed, env);
  if (!applied.ok()) return applied.error();
  return options;
}

}  // namespace

TEST_CASE("exec-with-delay defaults: 20s, hold TERM, send what was held, no kill, no remap") {
  auto options = Resolve({}, Env({}));
  REQUIRE(options.ok());
  CHECK(options->delay == 20s);
  CHECK(options->delay_on == std::vector<int>{SIGTERM});
  CHECK(options->signal == 0);
  CHECK_FALSE(options->kill_after.has_value());
  CHECK_FALSE(options->success_exit.Contains(0));
  CHECK_FALSE(options->success_exit.Contains(143));
  CHECK_FALSE(options->group);
}

TEST_CASE("every flag sets its option") {
  std::vector<Option> flags = {{"delay", "1m30s"},      {"delay-on", "QUIT,TERM"},
                               {"signal", "SIGUSR2"},   {"kill-after", "500ms"},
                               {"success-exit", "143"}, {"group", ""}};
  auto options = Resolve(flags, Env({}));
  REQUIRE(options.ok());
  CHECK(options->delay == 90s);
  CHECK(options->delay_on == std::vector<int>{SIGQUIT, SIGTERM});
  CHECK(options->signal == SIGUSR2);
  CHECK(options->kill_after == 500ms);
  CHECK(options->success_exit.Contains(143));
  CHECK_FALSE(options->success_exit.Contains(0));
  CHECK(options->group);
}

TEST_CASE("environment variables stand in for missing flags") {
  auto options = Resolve({}, Env({{"LINGER_DELAY", "5"},
                                  {"LINGER_DELAY_ON", "quit"},
                                  {"LINGER_SIGNAL", "3"},
                                  {"LINGER_KILL_AFTER", "0"},
                                  {"LINGER_SUCCESS_EXIT", "0-1,130"}}));
  REQUIRE(options.ok());
  CHECK(options->delay == 5s);
  CHECK(options->delay_on == std::vector<int>{SIGQUIT});
  CHECK(options->signal == SIGQUIT);
  CHECK(options->kill_after == 0s);
  CHECK(options->success_exit.Contains(130));
}

TEST_CASE("flags win over the environment and the last of a repeated flag wins") {
  std::vector<Option> flags = {{"delay", "1s"}, {"signal", "INT"}, {"delay", "2s"}};
  auto options = Resolve(flags, Env({{"LINGER_DELAY", "30s"}, {"LINGER_SIGNAL", "QUIT"}}));
  REQUIRE(options.ok());
  CHECK(options->delay == 2s);
  CHECK(options->signal == SIGINT);
}

TEST_CASE("a bad environment value is refused even when a flag overrides it") {
  // The environment is read first and checked whole: a broken variable is a broken deployment,
  // worth hearing about even when a flag happens to override it.
  auto options = Resolve({{"delay", "1s"}}, Env({{"LINGER_DELAY", "soon"}}));
  REQUIRE_FALSE(options.ok());
  CHECK(options.error().message.find("LINGER_DELAY") != std::string::npos);
}

TEST_CASE("an empty environment variable counts as unset") {
  auto options = Resolve({}, Env({{"LINGER_DELAY", ""}, {"LINGER_SIGNAL", ""}}));
  REQUIRE(options.ok());
  CHECK(options->delay == 20s);
  CHECK(options->signal == 0);
}

TEST_CASE("a bad environment value is refused naming the variable and the value") {
  const std::map<std::string, std::string> cases = {{"LINGER_DELAY", "-5s"},
                                                    {"LINGER_DELAY_ON", "TERM,BOGUS"},
                                                    {"LINGER_SIGNAL", "NOPE"},
                                                    {"LINGER_KILL_AFTER", "10x"},
                                                    {"LINGER_SUCCESS_EXIT", "256"}};
  for (const auto& [name, value] : cases) {
    INFO(name);
    auto options = Resolve({}, Env({{name, value}}));
    REQUIRE_FALSE(options.ok());
    CHECK(options.error().message.rfind(name + ": ", 0) == 0);
    CHECK(options.error().message.find("'" + value + "'") != std::string::npos);
  }
}

TEST_CASE("a bad flag value is refused naming the flag and the value") {
  const std::vector<Option> cases = {{"delay", "1m30"},
                                     {"delay-on", "TERM;QUIT"},
                                     {"signal", "0"},
                                     {"kill-after", ""},
                                     {"success-exit", "x"}};
  for (const Option& flag : cases) {
    INFO(flag.first);
    auto options = Resolve({flag}, Env({}));
    REQUIRE_FALSE(options.ok());
    CHECK(options.error().message.rfind("--" + std::string(flag.first) + ": ", 0) == 0);
    CHECK(options.error().message.find("'" + std::string(flag.second) + "'") != std::string::npos);
  }
}

TEST_CASE("signals that cannot be held back are refused for --delay-on") {
  for (const char* list : {"KILL", "TERM,STOP", "CHLD", "QUIT,STOP"}) {
    INFO(list);
    auto options = Resolve({{"delay-on", list}}, Env({}));
    REQUIRE_FALSE(options.ok());
    CHECK(options.error().message.find("cannot be held back") != std::string::npos);
  }
  auto env = Resolve({}, Env({{"LINGER_DELAY_ON", "9"}}));
  REQUIRE_FALSE(env.ok());
  CHECK(env.error().message == "LINGER_DELAY_ON: SIGKILL cannot be held back (in '9')");
  // --signal may be anything, SIGKILL included: it is sent, not received.
  CHECK(Resolve({{"signal", "KILL"}}, Env({}))->signal == SIGKILL);
}

TEST_CASE("the ready options need a ready port, which is never one of --ports") {
  auto checked = [](const std::vector<Option>& flags) {
    linger::Result<ExecOptions> options = Resolve(flags, Env({}));
    REQUIRE(options.ok());
    return linger::CheckExecOptions(*options);
  };
  CHECK(checked({{"ready-port", "8081"}, {"ready-url", "http://127.0.0.1:8080/"}}).ok());
  CHECK(checked({{"ready-port", "8081"}, {"ports", "8080,8443"}}).ok());
  for (const std::vector<Option>& flags :
       {std::vector<Option>{{"ready-url", "http://127.0.0.1:8080/"}},
        std::vector<Option>{{"ready-fail-after", "5s"}},
        std::vector<Option>{{"ready-port", "8081"}, {"ports", "8000-8100"}}}) {
    linger::Result<void> result = checked(flags);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == linger::ErrorKind::kUsage);
  }
  auto env = Resolve({}, Env({{"LINGER_READY_PORT", "9000"}, {"LINGER_READY_FAIL_AFTER", "2s"}}));
  REQUIRE(env.ok());
  CHECK(env->ready.port == 9000);
  CHECK(env->ready.fail_after == 2s);
}

// The command-line frame: help, version, usage errors and their exit status.
#include "catch.h"
#include "process.h"

using test::CheckUsageError;
using test::Contains;
using test::Linger;
using test::Run;

TEST_CASE("version is printed on stdout in three spellings") {
  for (const char* spelling : {"version", "--version", "-V"}) {
    auto r = Run({Linger(), spelling});
    CHECK(r.status == 0);
    CHECK(r.out == "linger " LINGER_VERSION_FOR_TESTS "\n");
    CHECK(r.err.empty());
  }
}

TEST_CASE("version refuses an unknown option or a stray word with status 2") {
  CheckUsageError(Run({Linger(), "version", "--bogus"}), "'--bogus'");
  CheckUsageError(Run({Linger(), "--version", "extra"}), "'extra'");
  auto r = Run({Linger(), "version", "--quiet"});
  CHECK(r.status == 0);
  CHECK(r.out == "linger " LINGER_VERSION_FOR_TESTS "\n");
}

TEST_CASE("help goes to stdout and exits 0 in every spelling") {
  for (auto argv : std::vector<std::vector<std::string>>{
           {Linger(), "help"}, {Linger(), "--help"}, {Linger(), "-h"}}) {
    auto r = Run(argv);
    CHECK(r.status == 0);
    CHECK(Contains(r.out, "Usage: linger"));
    CHECK(Contains(r.out, "sleep"));
    CHECK(r.err.empty());
  }
  for (auto argv : std::vector<std::vector<std::string>>{{Linger(), "help", "sleep"},
                                                         {Linger(), "sleep", "--help"},
                                                         {Linger(), "sleep", "5", "-h"}}) {
    auto r = Run(argv);
    CHECK(r.status == 0);
    CHECK(Contains(r.out, "Usage: linger sleep"));
    CHECK(r.err.empty());
  }
}

TEST_CASE("help help and help version show help instead of calling help unknown") {
  for (const char* topic : {"help", "version"}) {
    INFO(topic);
    auto r = Run({Linger(), "help", topic});
    CHECK(r.status == 0);
    CHECK(Contains(r.out, "Usage: linger"));
    CHECK(r.err.empty());
  }
}

TEST_CASE("no command is a one-line usage error") { CheckUsageError(Run({Linger()}), "COMMAND"); }

TEST_CASE("an unknown command is a usage error with a hint") {
  auto r = Run({Linger(), "slep", "5"});
  CheckUsageError(r, "'slep'");
  CHECK(Contains(r.err, "did you mean 'sleep'"));
  CheckUsageError(Run({Linger(), "frobnicate"}), "'frobnicate'");
  CheckUsageError(Run({Linger(), "--frobnicate"}), "'--frobnicate'");
  CheckUsageError(Run({Linger(), "help", "frobnicate"}), "'frobnicate'");
}

TEST_CASE("bad options and values are usage errors naming them") {
  CheckUsageError(Run({Linger(), "sleep", "--bogus", "1"}), "'--bogus'");
  CheckUsageError(Run({Linger(), "sleep"}), "DURATION");
  CheckUsageError(Run({Linger(), "sleep", "5x"}), "'5x'");
  CheckUsageError(Run({Linger(), "sleep", "-1s"}), "'-1s'");
  CheckUsageError(Run({Linger(), "sleep", "1m30"}), "'1m30'");
  CheckUsageError(Run({Linger(), "sleep", "1", "2"}), "'2'");
  CheckUsageError(Run({Linger(), "sleep", "--log"}), "'--log'");
}

// linger wait-http: waits for an HTTP endpoint (initContainers, preStop drains), then exits or
// execs COMMAND.
#include <fmt/format.h>

#include <cstdlib>
#include <optional>
#include <vector>

#include "cli.h"
#include "commands.h"
#include "duration.h"
#include "http.h"
#include "log.h"
#include "net.h"
#include "signals.h"
#include "spawn.h"
#include "text.h"
#include "tls.h"
#include "url.h"
#include "wait_loop.h"

namespace linger {
namespace {

constexpr CommandDoc kWaitHttp = {
    .name = "wait-http",
    .synopsis = "[OPTIONS] URL [-- COMMAND [ARG...]]",
    .about = R"(Poll URL (http:// or https://HOST[:PORT][/PATH][?QUERY]) until one attempt
succeeds, then exit 0, or replace linger with COMMAND (same pid, environment
and inherited signal state). Gives up with status 1 after --timeout.

HOST is a name, an IPv4 address or [IPv6]. A name is resolved again on every
attempt, through /etc/hosts, then DNS as /etc/resolv.conf says (also in an
empty root filesystem); every address is tried in turn. Resolving, too, is
bounded by --request-timeout and the overall deadline: nothing blocks past
them.

https: TLS 1.2 (ECDHE with AES-GCM), SNI for names. The server's certificate
chain is verified against --cacert FILE, else the file $SSL_CERT_FILE names,
else /etc/ssl/certs/ca-certificates.crt, read again on every attempt; its
name must match HOST (DNS names, one-label wildcards; IP addresses against IP
SANs). An image without CA certificates needs --cacert or --insecure.
)",
    .footer = R"(Durations: 20 (seconds), 1.5, 500ms, 20s, 1m30s, 2h.
Exit status: 0 ready, 1 timed out, 2 usage error, 128+N stopped by signal N
(SIGTERM, SIGINT, SIGHUP); with COMMAND, 126/127 when it cannot run.

Examples (initContainer waiting for a dependency):
  command: ["/linger", "wait-http", "--timeout", "5m", "http://db:8080/ready"]
  command: ["/linger", "wait-http", "--cacert", "/etc/vault-ca/ca.crt",
            "https://vault:8200/v1/sys/health"]
)",
    .order = OptionOrder::kInterleaved,
    .operand = "URL",
    .command = CommandArg::kOptional,
};

// The command line, checked: usage errors surface before anything starts.
struct WaitHttpOptions {
  WaitTiming timing;
  IntList statuses = *IntList::Parse("200-399", 100, 599, "status list");
  std::string method = "GET";
  std::vector<HttpHeader> headers;
  std::string body_contains;
  std::string cacert;
  bool insecure = false;
};

constexpr auto kOwnRows = std::to_array<OptionRow<WaitHttpOptions>>({
    {{"status", "LIST", nullptr,
      "accepted status codes (default 200-399, as Kubernetes\nhttpGet probes): 200, 200-299,404"},
     [](WaitHttpOptions& options, std::string_view value) -> Result<void> {
       Result<IntList> statuses = IntList::Parse(value, 100, 599, "status list");
       if (!statuses.ok()) return statuses.error();
       options.statuses = *statuses;
       return {};
     }},
    {{"method", "M", nullptr, "request method (default GET)"},
     [](WaitHttpOptions& options, std::string_view value) -> Result<void> {
       if (!IsValidMethod(value))
         return UsageError(fmt::format("invalid method '{}'", Printable(value)));
       options.method = value;
       return {};
     }},
    {{"header", "'N: V'", nullptr,
      "extra request header, repeatable; may replace Host or\nUser-Agent"},
     [](WaitHttpOptions& options, std::string_view value) -> Result<void> {
       Result<HttpHeader> header = ParseHeaderOption(value);
       if (!header.ok()) return header.error();
       options.headers.push_back(*header);
       return {};
     }},
    {{"body-contains", "TEXT", nullptr, "also require TEXT in the first 1 MiB of the body"},
     [](WaitHttpOptions& options, std::string_view value) -> Result<void> {
       options.body_contains = value;
       return {};
     }},
    {{"cacert", "FILE", nullptr,
      "PEM file of the certificate authorities to trust for\nhttps (e.g. a Secret's ca.crt "
      "mounted as a file)"},
     [](WaitHttpOptions& options, std::string_view value) -> Result<void> {
       if (value.empty()) return UsageError("needs a FILE");
       options.cacert = value;
       return {};
     }},
    {{"insecure", "", nullptr,
      "https without verifying the server's certificate\n(a warning says so)"},
     [](WaitHttpOptions& options, std::string_view) -> Result<void> {
       options.insecure = true;
       return {};
     }},
});

constexpr auto kOptions =
    JoinRows(WaitTimingRows<WaitHttpOptions>(
                 "limit for one attempt: resolve, connect, TLS\nhandshake, send, "
                 "read (default 5s; never past\n--timeout; 0: no own limit)"),
             kOwnRows);

}  // namespace

int RunWaitHttp(std::span<char* const> args) {
  Invocation invocation = StartCommand<WaitHttpOptions>(kWaitHttp, kOptions, args);
  if (!invocation.args) return invocation.exit_status;
  const ParsedArgs& parsed = *invocation.args;
  const WaitHttpOptions& options = invocation.options;
  std::string_view url_text = parsed.positionals[0];
  Result<Url> url = ParseUrl(url_text);
  if (!url.ok()) return Fail(url.error());
  const char* ssl_cert_file = std::getenv("SSL_CERT_FILE");
  std::optional<std::string_view> env_file;
  if (ssl_cert_file != nullptr) env_file = ssl_cert_file;
  const Probe probe{
      .url = *url,
      .request = BuildRequest(options.method, *url, options.headers),
      .head_request = options.method == "HEAD",
      .statuses = options.statuses,
      .body_contains = options.body_contains,
      .tls = {.trust = ChooseTrustStore(options.cacert, env_file), .insecure = options.insecure}};
  if (probe.url.tls && probe.tls.insecure) {
    LogWarn("--insecure: the server's certificate and name are not verified");
  }
  return RunWaitLoop(
      Printable(url_text), options.timing,
      [&](Resolver& resolver, auto deadline, int stop_fd) {
        return RunAttempt(probe, resolver, deadline, stop_fd);
      },
      parsed.command);
}

}  // namespace linger

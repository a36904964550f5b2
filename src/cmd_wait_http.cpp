// linger wait-http: waits for an HTTP endpoint (initContainers, preStop drains), then exits or
// execs COMMAND.
#include <fmt/format.h>

#include <cstdlib>
#include <optional>
#include <vector>

#include "cli.h"
#include "commands.h"
#include "exit_status.h"
#include "http.h"
#include "log.h"
#include "net.h"
#include "tls.h"
#include "url.h"
#include "wait_loop.h"

namespace linger {

const std::string_view kWaitHttpHelp =
    R"(Usage: linger wait-http [OPTIONS] URL [-- COMMAND [ARG...]]

Poll URL (http:// or https://HOST[:PORT][/PATH][?QUERY]) until one attempt
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

Options:
  --timeout D           give up after D (default 30s; 0 waits forever)
  --interval D          pause after a failed attempt (default 1s)
  --request-timeout D   limit for one attempt: resolve, connect, TLS
                        handshake, send, read (default 5s; never past
                        --timeout; 0: no own limit)
  --status LIST         accepted status codes (default 200-399, as Kubernetes
                        httpGet probes): 200, 200-299,404
  --method M            request method (default GET)
  --header 'N: V'       extra request header, repeatable; may replace Host or
                        User-Agent
  --body-contains TEXT  also require TEXT in the first 1 MiB of the body
  --cacert FILE         PEM file of the certificate authorities to trust for
                        https (e.g. a Secret's ca.crt mounted as a file)
  --insecure            https without verifying the server's certificate
                        (a warning says so)
  --quiet               no progress lines (the final failure still prints)
  --log PATH            append linger's lines to PATH instead of stderr
  -h, --help            show this help

Durations: 20 (seconds), 1.5, 500ms, 20s, 1m30s, 2h.
Exit status: 0 ready, 1 timed out, 2 usage error, 128+N stopped by signal N
(SIGTERM, SIGINT, SIGHUP); with COMMAND, 126/127 when it cannot run.

Examples (initContainer waiting for a dependency):
  command: ["/linger", "wait-http", "--timeout", "5m", "http://db:8080/ready"]
  command: ["/linger", "wait-http", "--cacert", "/etc/vault-ca/ca.crt",
            "https://vault:8200/v1/sys/health"]
)";

namespace {

constexpr OptionSpec kOptions[] = {
    kWaitTimingOptions[0],   kWaitTimingOptions[1], kWaitTimingOptions[2],
    {"status", true},        {"method", true},      {"header", true},
    {"body-contains", true}, {"cacert", true},      {"insecure", false},
};

// The command line, checked: usage errors surface before anything starts.
struct Options {
  std::string url_text;
  Probe probe;
  WaitTiming timing;
};

Result<Options> CheckOptions(const ParsedArgs& parsed) {
  if (parsed.positionals.size() != 1) {
    if (parsed.positionals.empty()) return Error{"missing URL (try 'linger wait-http --help')"};
    return Error{
        fmt::format("unexpected argument '{}' (COMMAND goes after '--')", parsed.positionals[1])};
  }
  Options options;
  options.url_text = parsed.positionals[0];
  Result<Url> url = ParseUrl(options.url_text);
  if (!url.ok()) return Error{url.error()};
  options.probe.url = *url;
  Result<IntList> statuses = IntList::Parse("200-399", 100, 599, "status list");
  std::string_view method = "GET";
  std::vector<HttpHeader> headers;
  std::string_view cacert;
  for (const Option& option : parsed.options) {
    Result<bool> timing = ApplyWaitTiming(option, options.timing);
    if (!timing.ok()) return Error{timing.error()};
    if (*timing) continue;
    if (option.name == "status") {
      statuses = IntList::Parse(option.value, 100, 599, "status list");
      if (!statuses.ok()) return Error{statuses.error()};
    } else if (option.name == "method") {
      if (!IsValidMethod(option.value)) {
        return Error{fmt::format("invalid method '{}'", Printable(option.value))};
      }
      method = option.value;
    } else if (option.name == "header") {
      Result<HttpHeader> header = ParseHeaderOption(option.value);
      if (!header.ok()) return Error{header.error()};
      headers.push_back(*header);
    } else if (option.name == "cacert") {
      if (option.value.empty()) return Error{"--cacert needs a FILE"};
      cacert = option.value;
    } else if (option.name == "insecure") {
      options.probe.tls.insecure = true;
    } else {  // body-contains
      options.probe.body_contains = option.value;
    }
  }
  const char* ssl_cert_file = std::getenv("SSL_CERT_FILE");
  options.probe.tls.trust = ChooseTrustStore(
      cacert, ssl_cert_file ? std::optional<std::string_view>(ssl_cert_file) : std::nullopt);
  options.probe.statuses = *statuses;
  options.probe.head_request = method == "HEAD";
  options.probe.request = BuildRequest(method, *url, headers);
  return options;
}

}  // namespace

int RunWaitHttp(std::span<char* const> args) {
  Invocation invocation =
      StartCommand("wait-http", kWaitHttpHelp, args, kOptions, OptionOrder::kInterleaved);
  if (!invocation.args) return invocation.exit_status;
  const ParsedArgs& parsed = *invocation.args;
  Result<Options> options = CheckOptions(parsed);
  if (!options.ok()) {
    LogError("wait-http: {}", options.error());
    return kExitUsage;
  }

  if (options->probe.url.tls && options->probe.tls.insecure) {
    LogWarn("--insecure: the server's certificate and name are not verified");
  }
  const Probe& probe = options->probe;
  return RunWaitLoop(
      "wait-http", options->url_text, options->timing,
      [&](auto deadline, int stop_fd) { return RunAttempt(probe, deadline, stop_fd); },
      parsed.command);
}

}  // namespace linger

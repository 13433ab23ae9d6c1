#include "http/dispatcher.hpp"

#include <chrono>

#include <spdlog/spdlog.h>

#include "base/log_field.hpp"
#include "base/random.hpp"

namespace rosterd::http {
namespace {

// Route label for requests that matched nothing: the raw path must not become a label
// (unbounded cardinality, and a path may carry a token).
constexpr std::string_view unmatched_route = "<unmatched>";
constexpr std::string_view rejected_route = "<rejected>";

// JSON, CSV and metrics are never meant to render or be framed: nothing may load from them and
// no page may embed them. HTML pages set their own policy, which is kept.
constexpr std::string_view default_content_security_policy =
    "default-src 'none'; frame-ancestors 'none'";
// One year, the usual value. No includeSubDomains: other hosts under the same parent domain are
// the operator's to decide, not this daemon's.
constexpr std::string_view strict_transport_security = "max-age=31536000";

// Label values must come from a fixed set: the method is whatever the client typed, and each
// distinct label value is a series the registry keeps forever.
std::string_view method_label(verb method) {
  switch (method) {
    case verb::get:
      return "GET";
    case verb::head:
      return "HEAD";
    case verb::post:
      return "POST";
    case verb::put:
      return "PUT";
    case verb::patch:
      return "PATCH";
    case verb::delete_:
      return "DELETE";
    case verb::options:
      return "OPTIONS";
    default:
      return "other";
  }
}

std::string status_label(unsigned code) {
  return beast_http::int_to_status(code) == status::unknown ? std::string("other")
                                                            : std::to_string(code);
}

}  // namespace

dispatcher::dispatcher(const router& routes, base::metrics::registry& metrics,
                       std::shared_ptr<spdlog::logger> log, dispatch_options options)
    : routes_(routes),
      options_(options),
      log_(std::move(log)),
      requests_(metrics.counter("rosterd_http_requests_total",
                                "HTTP requests answered, by method, route pattern and status.",
                                {"method", "route", "status"})),
      latency_(metrics.histogram(
          "rosterd_http_request_duration_seconds",
          "Time from a complete request to its response being ready, by route pattern.", {"route"},
          {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10})),
      drops_(metrics.counter("rosterd_http_connections_dropped_total",
                             "Connections closed without a response, by reason.", {"reason"})) {}

boost::asio::awaitable<response> dispatcher::dispatch(const request& req,
                                                      const boost::asio::ip::tcp::endpoint& remote,
                                                      bool secure) {
  const auto started = std::chrono::steady_clock::now();
  std::string request_id = base::request_id();
  const std::string_view target = req.target();
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  const std::string_view method = req.method_string();
  const std::string_view label = method_label(req.method());

  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };

  // A method HTTP does not define (Beast knows every registered one): no resource answers it,
  // so say "not implemented" instead of pretending the path matters (RFC 9110 section 15.6.2).
  if (req.method() == verb::unknown) {
    auto res =
        make_problem_response(make_problem(status::not_implemented, "method-not-implemented",
                                           "This server does not implement that request method."),
                              req.version(), request_id);
    finish(res, method, label, unmatched_route, request_id, elapsed(), secure);
    co_return res;
  }

  if (path.empty() || path.front() != '/' || !percent_decode(path)) {
    auto res = make_problem_response(make_problem(status::bad_request, "bad-target",
                                                  "The request target must be an origin-form path "
                                                  "with valid percent-encoding."),
                                     req.version(), request_id);
    finish(res, method, label, unmatched_route, request_id, elapsed(), secure);
    co_return res;
  }

  auto lookup = routes_.find(req.method(), path);
  if (auto* nf = std::get_if<router::not_found>(&lookup)) {
    (void)nf;
    auto res = make_problem_response(make_problem(status::not_found, {}, "No such resource."),
                                     req.version(), request_id);
    finish(res, method, label, unmatched_route, request_id, elapsed(), secure);
    co_return res;
  }
  if (auto* na = std::get_if<router::method_not_allowed>(&lookup)) {
    auto res = make_problem_response(
        make_problem(status::method_not_allowed, {}, "This resource answers: " + na->allow + "."),
        req.version(), request_id);
    res.set(beast_http::field::allow, na->allow);
    finish(res, method, label, unmatched_route, request_id, elapsed(), secure);
    co_return res;
  }

  auto& match = std::get<router::found>(lookup);
  request_context ctx{req,           path,       query,  std::move(match.params),
                      match.pattern, request_id, remote, secure};
  response res;
  try {
    res = co_await (*match.target)(ctx);
  } catch (const std::exception& e) {
    // Tier (b) of the error policy: unexpected, logged once with context, answered 500.
    log_->error("http_handler_failed request_id={} route={} error={}", request_id,
                base::log_field(match.pattern), base::log_field(e.what()));
    res = make_problem_response(make_problem(status::internal_server_error, {},
                                             "The server failed; the request id is logged."),
                                req.version(), request_id);
  }
  if (req.method() == verb::head) {
    const auto length = res.body().size();
    res.body().clear();
    res.content_length(length);
  }
  finish(res, method, label, match.pattern, request_id, elapsed(), secure);
  co_return res;
}

response dispatcher::reject(const problem& p, unsigned http_version, bool secure) {
  std::string request_id = base::request_id();
  auto res = make_problem_response(p, http_version, request_id);
  res.keep_alive(false);
  finish(res, "-", "-", rejected_route, request_id, 0.0, secure);
  return res;
}

void dispatcher::count_drop(std::string_view reason) {
  drops_.inc({std::string(reason)});
  log_->debug("http_connection_dropped reason={}", reason);
}

void dispatcher::finish(response& res, std::string_view method, std::string_view method_label,
                        std::string_view route, const std::string& request_id, double seconds,
                        bool secure) {
  res.set("X-Request-Id", request_id);
  res.set("X-Content-Type-Options", "nosniff");
  if (res.find(beast_http::field::cache_control) == res.end()) {
    res.set(beast_http::field::cache_control, "no-store");  // responses are private by default
  }
  if (res.find("Content-Security-Policy") == res.end()) {
    res.set("Content-Security-Policy", default_content_security_policy);
  }
  // Browsers ignore the header over plain http (RFC 6797 section 8.1), so it only matters where
  // they reach us over https: native TLS, or a proxy in front of an https public_url.
  if (secure || options_.https_public_url) {
    res.set(beast_http::field::strict_transport_security, strict_transport_security);
  }
  const auto code = res.result_int();
  requests_.inc({std::string(method_label), std::string(route), status_label(code)});
  latency_.observe({std::string(route)}, seconds);
  // Only the route pattern is logged, never the path or query: both may carry tokens or codes.
  // Errors are findable by the request id the client was given: 5xx at error, 4xx at info,
  // successes only at debug.
  const auto level = code >= 500   ? spdlog::level::err
                     : code >= 400 ? spdlog::level::info
                                   : spdlog::level::debug;
  if (log_->should_log(level)) {
    log_->log(level, "http_request request_id={} method={} route={} status={} duration_ms={:.3f}",
              request_id, base::log_field(method, 32), base::log_field(route), code, seconds * 1e3);
  }
}

}  // namespace rosterd::http

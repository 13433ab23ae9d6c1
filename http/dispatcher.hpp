#pragma once
// Turns one parsed request into one response: routing, request ids, error mapping, security
// headers, metrics and the access log line. Knows nothing about sockets.

#include <memory>

#include "base/metrics.hpp"
#include "http/problem.hpp"
#include "http/router.hpp"

namespace spdlog {
class logger;
}

namespace rosterd::http {

struct dispatch_options {
  /// Browsers reach this server over https even when requests arrive in plain HTTP from a
  /// TLS-terminating proxy (server.public_url is https): send Strict-Transport-Security on
  /// every answer, not only on those that came over native TLS.
  bool https_public_url = false;
};

class dispatcher {
 public:
  dispatcher(const router& routes, base::metrics::registry& metrics,
             std::shared_ptr<spdlog::logger> log, dispatch_options options = {});

  /// Routes `req` and runs its handler. A handler exception becomes a logged 500; it never
  /// escapes. A method HTTP does not define is answered 501 on any path. The response
  /// carries X-Request-Id and the default security headers.
  boost::asio::awaitable<response> dispatch(const request& req,
                                            const boost::asio::ip::tcp::endpoint& remote,
                                            bool secure);

  /// A response for a request the server refused before it was complete (413, 431, 400, 408),
  /// counted and logged like any other. `secure`: the connection is TLS.
  response reject(const problem& p, unsigned http_version, bool secure = false);

  /// Counts a connection dropped without a response (idle or slow client, reset).
  void count_drop(std::string_view reason);

 private:
  void finish(response& res, std::string_view method, std::string_view method_label,
              std::string_view route, const std::string& request_id, double seconds, bool secure);

  const router& routes_;
  dispatch_options options_;
  std::shared_ptr<spdlog::logger> log_;
  base::metrics::counter_family& requests_;
  base::metrics::histogram_family& latency_;
  base::metrics::counter_family& drops_;
};

}  // namespace rosterd::http

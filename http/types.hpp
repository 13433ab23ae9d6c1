#pragma once
// The HTTP vocabulary shared by the server, the router and route handlers.

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace rosterd::http {

namespace beast_http = boost::beast::http;
using verb = beast_http::verb;
using status = beast_http::status;
using request = beast_http::request<beast_http::string_body>;
using response = beast_http::response<beast_http::string_body>;

/// Values captured by `{name}` segments of a route pattern, already percent-decoded.
class route_params {
 public:
  void add(std::string name, std::string value) {
    items_.emplace_back(std::move(name), std::move(value));
  }
  /// The value of `{name}`, or an empty view when the pattern has no such parameter.
  [[nodiscard]] std::string_view get(std::string_view name) const {
    for (const auto& [n, v] : items_) {
      if (n == name) {
        return v;
      }
    }
    return {};
  }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

/// What a handler sees of one request.
struct request_context {
  const request& req;
  std::string_view path;   ///< raw path as sent (still percent-encoded), without the query
  std::string_view query;  ///< raw query string, without '?'
  route_params params;
  std::string_view route;  ///< the matched pattern, e.g. "/v1/creators/{id}"
  std::string request_id;  ///< also in the X-Request-Id header and the log line
  boost::asio::ip::tcp::endpoint remote;
  bool secure = false;  ///< arrived over TLS
};

using handler = std::function<boost::asio::awaitable<response>(request_context&)>;

}  // namespace rosterd::http

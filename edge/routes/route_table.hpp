#pragma once
// The one way the edge declares routes: each area lists {method, path, handler} in a table,
// and add_routes registers a table with the context its handlers share. The whole HTTP surface
// then reads as tables, and add_edge_routes (edge_routes.hpp) is the only place that registers
// anything, so the daemon and the tests that list its routes see the same ones.

#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "http/router.hpp"

namespace rosterd::edge {

/// What answers one route, given the context its area shares.
template <class Context>
using route_handler =
    std::function<boost::asio::awaitable<http::response>(Context&, http::request_context&)>;

template <class Context>
struct route {
  http::verb method;
  std::string path;
  route_handler<Context> handler;
};

template <class Context>
using route_table = std::vector<route<Context>>;

/// Registers every route of `table`, each bound to `context`, which must outlive `routes`.
template <class Context>
void add_routes(http::router& routes, Context& context, const route_table<Context>& table) {
  for (const auto& r : table) {
    routes.add(r.method, r.path, [&context, handler = r.handler](http::request_context& ctx) {
      return handler(context, ctx);
    });
  }
}

}  // namespace rosterd::edge

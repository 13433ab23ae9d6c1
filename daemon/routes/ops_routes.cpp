#include "daemon/routes/ops_routes.hpp"

#include <nlohmann/json.hpp>

#include "http/problem.hpp"
#include "store/migrations.hpp"
#include "store/store.hpp"

namespace rosterd::daemon {
namespace {

http::response json_response(const http::request_context& ctx, http::status code,
                             const nlohmann::json& body) {
  http::response res{code, ctx.req.version()};
  res.set(http::beast_http::field::content_type, "application/json");
  res.body() = body.dump() + "\n";
  res.prepare_payload();
  return res;
}

}  // namespace

void add_ops_routes(http::router& routes, ops_dependencies deps) {
  routes.add(http::verb::get, "/healthz",
             [](http::request_context& ctx) -> boost::asio::awaitable<http::response> {
               co_return json_response(ctx, http::status::ok, {{"status", "ok"}});
             });

  routes.add(http::verb::get, "/readyz",
             [deps](http::request_context& ctx) -> boost::asio::awaitable<http::response> {
               if (deps.stopping.load()) {
                 co_return http::make_problem_response(
                     http::make_problem(http::status::service_unavailable, "not-ready",
                                        "The daemon is shutting down."),
                     ctx.req.version(), ctx.request_id);
               }
               auto current_version_query = [](store::database& db) {
                 return store::current_version(db);
               };
               // A real query on a read connection: proves the file is open, readable and
               // migrated, not just that the process lives.
               auto version = co_await deps.db.read(current_version_query);
               const int head = store::head_version();
               if (!version || *version != head) {
                 co_return http::make_problem_response(
                     http::make_problem(http::status::service_unavailable, "not-ready",
                                        "The store is not open at the current schema."),
                     ctx.req.version(), ctx.request_id);
               }
               co_return json_response(ctx, http::status::ok,
                                       {{"status", "ready"}, {"schema_version", *version}});
             });

  routes.add(http::verb::get, "/metrics",
             [deps](http::request_context& ctx) -> boost::asio::awaitable<http::response> {
               http::response res{http::status::ok, ctx.req.version()};
               res.set(http::beast_http::field::content_type,
                       "text/plain; version=0.0.4; charset=utf-8");
               res.body() = deps.metrics.expose();
               res.prepare_payload();
               co_return res;
             });
}

}  // namespace rosterd::daemon

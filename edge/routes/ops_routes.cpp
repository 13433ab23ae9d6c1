#include "edge/routes/ops_routes.hpp"

#include <nlohmann/json.hpp>

#include "base/crypto.hpp"
#include "http/problem.hpp"
#include "roster/text.hpp"
#include "store/migrations.hpp"
#include "store/store.hpp"

namespace rosterd::edge {
namespace {

http::response json_response(const http::request_context& ctx, http::status code,
                             const nlohmann::json& body) {
  http::response res{code, ctx.req.version()};
  res.set(http::beast_http::field::content_type, "application/json");
  res.body() = body.dump() + "\n";
  res.prepare_payload();
  return res;
}

boost::asio::awaitable<http::response> healthz(const ops_dependencies&,
                                               http::request_context& ctx) {
  co_return json_response(ctx, http::status::ok, {{"status", "ok"}});
}

boost::asio::awaitable<http::response> readyz(const ops_dependencies& deps,
                                              http::request_context& ctx) {
  if (deps.stopping.load()) {
    co_return http::make_problem_response(
        http::make_problem(http::status::service_unavailable, "not-ready",
                           "The daemon is shutting down."),
        ctx.req.version(), ctx.request_id);
  }
  auto current_version_query = [](store::database& db) { return store::current_version(db); };
  // A real query on a read connection: proves the file is open, readable and migrated, not
  // just that the process lives.
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
}

boost::asio::awaitable<http::response> metrics_text(const ops_dependencies& deps,
                                                    http::request_context& ctx) {
  if (deps.metrics_token != nullptr &&
      !bearer_token_matches(*deps.metrics_token, ctx.req[http::beast_http::field::authorization])) {
    auto res = http::make_problem_response(
        http::make_problem(http::status::unauthorized, "unauthenticated",
                           "Send the metrics token ([metrics] token_file) as Authorization: "
                           "Bearer <token>."),
        ctx.req.version(), ctx.request_id);
    res.set(http::beast_http::field::www_authenticate, "Bearer realm=\"metrics\"");
    co_return res;
  }
  http::response res{http::status::ok, ctx.req.version()};
  res.set(http::beast_http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  res.body() = deps.metrics.expose();
  res.prepare_payload();
  co_return res;
}

}  // namespace

bool bearer_token_matches(const base::secret& expected, std::string_view authorization) {
  constexpr std::string_view scheme = "bearer ";
  if (authorization.size() <= scheme.size() ||
      !roster::equals_ignoring_case(authorization.substr(0, scheme.size()), scheme)) {
    return false;
  }
  auto candidate = authorization.substr(scheme.size());
  while (!candidate.empty() && candidate.front() == ' ') {
    candidate.remove_prefix(1);
  }
  if (candidate.empty()) {
    return false;
  }
  const auto want = base::sha256(expected.reveal());
  const auto got = base::sha256(candidate);
  return base::constant_time_equal(want.data(), want.size(), got.data(), got.size());
}

route_table<const ops_dependencies> ops_routes() {
  return {
      {http::verb::get, "/healthz", healthz},
      {http::verb::get, "/readyz", readyz},
      {http::verb::get, "/metrics", metrics_text},
  };
}

}  // namespace rosterd::edge

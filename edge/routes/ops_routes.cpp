#include "edge/routes/ops_routes.hpp"

#include <nlohmann/json.hpp>

#include "base/crypto.hpp"
#include "http/problem.hpp"
#include "lifecycle/fleet_gauges.hpp"
#include "notify/outbox_gauges.hpp"
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

std::string database_gauges(const lifecycle::fleet_snapshot& fleet,
                            const std::vector<notify::outbox_backlog>& backlog) {
  using base::metrics::gauge_sample;
  std::string out;
  std::vector<gauge_sample> samples;
  for (const auto& c : fleet.connections) {
    samples.push_back({{c.provider, c.state}, static_cast<double>(c.connections)});
  }
  base::metrics::append_gauge(out, "rosterd_connections", "Connections by provider and state.",
                              {"provider", "state"}, samples);
  samples.clear();
  for (const auto& d : fleet.deadlines_within_7d) {
    samples.push_back({{d.provider}, static_cast<double>(d.connections)});
  }
  base::metrics::append_gauge(
      out, "rosterd_connection_deadlines_within_7d",
      "Connections still to be renewed whose re-consent deadline is within the next 7 days.",
      {"provider"}, samples);
  samples.clear();
  for (const auto& b : backlog) {
    samples.push_back({{b.channel}, static_cast<double>(b.pending)});
  }
  base::metrics::append_gauge(out, "rosterd_outbox_depth",
                              "Outbox messages waiting to be delivered, by channel.", {"channel"},
                              samples);
  samples.clear();
  for (const auto& b : backlog) {
    samples.push_back({{b.channel}, b.oldest_age_seconds});
  }
  base::metrics::append_gauge(out, "rosterd_outbox_oldest_age_seconds",
                              "Age of the oldest outbox message still waiting (0 when none).",
                              {"channel"}, samples);
  base::metrics::append_gauge(out, "rosterd_jobs_due", "Jobs due and not claimed by a runner.", {},
                              {{{}, static_cast<double>(fleet.jobs_due)}});
  base::metrics::append_gauge(out, "rosterd_job_lag_seconds",
                              "How long the oldest due, unclaimed job has waited (0 when none).",
                              {}, {{{}, fleet.job_lag_seconds}});
  return out;
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
  // The instance's connections, jobs and outbox, read from the database on a read connection
  // (never inside a registered gauge: those run under the registry's lock on the I/O thread).
  auto snapshot_query =
      [now = std::chrono::system_clock::now()](store::database& db) -> base::result<std::string> {
    auto fleet = lifecycle::read_fleet_snapshot(db, now);
    if (!fleet) {
      return fleet.error();
    }
    auto backlog = notify::read_outbox_backlog(db, now);
    if (!backlog) {
      return backlog.error();
    }
    return database_gauges(*fleet, *backlog);
  };
  auto from_database = co_await deps.db.read(snapshot_query);
  http::response res{http::status::ok, ctx.req.version()};
  res.set(http::beast_http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  res.body() = deps.metrics.expose();
  // A failed read leaves these series out (Prometheus then marks them stale) rather than
  // failing the whole scrape: the process metrics still say what is wrong.
  if (from_database) {
    res.body() += *from_database;
  }
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

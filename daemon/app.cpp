#include "daemon/app.hpp"

#include <optional>
#include <thread>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "base/log_field.hpp"
#include "daemon/logging.hpp"
#include "daemon/systemd_notify.hpp"
#include "daemon/version.hpp"
#include "edge/api/api_context.hpp"
#include "edge/api/api_settings.hpp"
#include "edge/routes/edge_routes.hpp"
#include "http/server.hpp"
#include "http/tls.hpp"
#include "lifecycle/identity_checks.hpp"
#include "lifecycle/job_scheduler.hpp"
#include "lifecycle/lifecycle_jobs.hpp"
#include "lifecycle/refresh_scheduler.hpp"
#include "lifecycle/webhook_dispatcher.hpp"
#include "notify/relay.hpp"
#include "notify/templates.hpp"
#include "setup/lifecycle_wiring.hpp"
#include "setup/oauth_wiring.hpp"
#include "setup/outbox_mailer.hpp"
#include "setup/wiring.hpp"
#include "store/in_transaction.hpp"
#include "store/store.hpp"

namespace rosterd::daemon {
namespace {

namespace asio = boost::asio;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

http::limits limits_from(const setup::server_config& s) {
  http::limits l;
  l.max_body_bytes = s.max_body_bytes;
  l.max_header_bytes = s.max_header_bytes;
  l.max_header_count = s.max_header_count;
  l.max_connections = s.max_connections;
  l.max_connections_per_peer = s.max_connections_per_peer;
  l.idle_timeout = s.idle_timeout;
  l.header_timeout = s.header_timeout;
  l.body_timeout = s.body_timeout;
  l.write_timeout = s.write_timeout;
  l.handshake_timeout = s.handshake_timeout;
  return l;
}

std::string url_of(const asio::ip::tcp::endpoint& ep, bool tls) {
  const auto host =
      ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
  return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(ep.port());
}

// Everything the signal and watchdog coroutines share; owned by run_daemon's frame.
struct runtime {
  std::filesystem::path config_path;
  setup::config cfg;
  loggers logs;
  systemd_notifier notifier;
  http::server* server = nullptr;
  notify::relay* relay = nullptr;
  lifecycle::webhook_dispatcher* webhooks = nullptr;
  lifecycle::refresh_scheduler* refreshes = nullptr;
  store::store* db = nullptr;
  edge::api::api_context* api = nullptr;
  std::shared_ptr<vault::key_holder> keys;  // the keyring every request takes; SIGHUP replaces it
  std::atomic<bool> stopping{false};
  std::string serving;  // "http://127.0.0.1:8080, ..." for STATUS= lines
  lifecycle::job_scheduler* jobs = nullptr;
  lifecycle::stage_settings_holder* stages = nullptr;     // [reminders], replaced by SIGHUP
  std::optional<std::chrono::seconds> identity_interval;  // none: identity checks are off
};

std::string join_versions(const std::vector<std::uint32_t>& versions) {
  std::string out;
  for (const auto v : versions) {
    out += (out.empty() ? "" : ",") + std::to_string(v);
  }
  return out;
}

// Re-reads the running config's [vault] key_file (a changed key_file reference itself needs a
// restart, like every path). Only versions and counts are logged, never key material.
bool reload_keys(runtime& rt) {
  auto reloaded = setup::reload_vault(rt.cfg, *rt.db, *rt.keys);
  if (!reloaded) {
    rt.logs.main->error("vault_reload_failed keeping=previous problem={}",
                        base::log_field(reloaded.error().detail, 1024));
    return false;
  }
  if (*reloaded) {
    rt.logs.main->info("vault_reloaded versions={} sealing_version={}",
                       join_versions((*reloaded)->versions), (*reloaded)->sealing_version);
    if (!(*reloaded)->memory_locked) {
      rt.logs.main->warn(
          "vault_key_not_locked note=raise_LimitMEMLOCK_so_the_key_cannot_be_swapped_out");
    }
  }
  return true;
}

void reload(runtime& rt) {
  rt.notifier.reloading();
  rt.logs.main->info("config_reload_started path={}", base::log_field(rt.config_path.string()));
  // The key file first and whatever happens to the config: adding a key version must not
  // depend on an unrelated config edit being valid.
  const bool keys_ok = reload_keys(rt);
  auto next = setup::load_config(rt.config_path);
  if (!next) {
    rt.logs.config->error("config_reload_failed keeping=previous problems={}",
                          base::log_field(next.error().detail, 4096));
    rt.notifier.ready("Serving on " + rt.serving + " (last reload failed; see the log)");
    return;
  }
  for (const auto& key : keys_needing_restart(rt.cfg, *next)) {
    rt.logs.config->warn("config_change_needs_restart key={}", key);
  }
  // Logged before the new levels apply, so a quieter level does not hide the confirmation.
  rt.logs.main->info("config_reloaded log_level={}", setup::config_word(next->log.level));
  apply_log_levels(rt.logs, next->log);
  rt.cfg.log = next->log;  // only what was applied becomes the running config
  if (rt.stages != nullptr && next->reminders != rt.cfg.reminders) {
    // Each job takes one snapshot, so no message mixes the old stages and the new.
    rt.stages->replace(setup::stage_settings_from(next->reminders));
    rt.cfg.reminders = next->reminders;
    rt.logs.main->info("reminder_stages_reloaded");
    if (rt.jobs != nullptr) {
      rt.jobs->nudge();
    }
  }
  rt.notifier.ready("Serving on " + rt.serving +
                    (keys_ok ? "" : " (last key reload failed; see the log)"));
}

asio::awaitable<void> handle_signals(runtime& rt, asio::io_context& io, asio::signal_set& signals) {
  for (;;) {
    auto [ec, signal] = co_await signals.async_wait(use_tuple);
    if (ec) {
      co_return;
    }
    if (signal == SIGHUP) {
      reload(rt);
      continue;
    }
    rt.stopping = true;
    rt.logs.main->info("shutdown_started signal={} open_connections={} grace={}",
                       signal == SIGTERM ? "SIGTERM" : "SIGINT", rt.server->active_connections(),
                       setup::format_duration(rt.cfg.server.shutdown_grace));
    rt.notifier.stopping("Draining connections");
    // One budget for the whole drain: what the connections leave of it goes to the jobs.
    const auto deadline = std::chrono::steady_clock::now() + rt.cfg.server.shutdown_grace;
    co_await rt.server->shutdown(rt.cfg.server.shutdown_grace);
    if (rt.api != nullptr) {
      // Reset requests already answered "on its way" still look up the address and queue the
      // email; they take one short write each.
      asio::steady_timer wait(io);
      for (int i = 0; i < 100 && rt.api->pending_reset_requests.load() > 0; ++i) {
        wait.expires_after(std::chrono::milliseconds(50));
        co_await wait.async_wait(use_tuple);
      }
    }
    // The jobs stop at once and share what is left of the budget. Claimed mail not yet sent
    // goes back to the outbox; a send still running at the deadline is aborted and handed back.
    if (rt.refreshes != nullptr) {
      rt.refreshes->request_stop();
    }
    rt.jobs->request_stop();
    rt.relay->request_stop(deadline);
    rt.webhooks->request_stop(deadline);
    if (rt.refreshes != nullptr && !co_await rt.refreshes->stop(deadline)) {
      // A refresh in flight stores its outcome (a rotated token) unless the deadline cuts it
      // off; then it leaves its marker and is settled at the next start.
      rt.logs.main->warn("refreshes_cut_off note=settled_at_the_next_start");
    }
    if (!co_await rt.jobs->stop(deadline)) {
      // A job cut off keeps its lease and nothing of it is stored: it runs after the next start.
      rt.logs.main->warn("lifecycle_jobs_cut_off note=run_again_after_the_next_start");
    }
    co_await rt.relay->stop(deadline);
    // A webhook request still running at the deadline is aborted and due again at the next
    // start, with the same webhook-id.
    co_await rt.webhooks->stop(deadline);
    rt.logs.main->info("shutdown_drained");
    io.stop();
    co_return;
  }
}

// Pings from inside the event loop: if every I/O thread is wedged, the pings stop and systemd
// restarts us, which is the point of the watchdog.
asio::awaitable<void> feed_watchdog(runtime& rt, std::chrono::microseconds interval) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!rt.stopping.load()) {
    rt.notifier.watchdog();
    timer.expires_after(interval / 2);
    co_await timer.async_wait(use_tuple);
  }
}

// Connections that have no check planned (from before the lifecycle, or a restored backup) get
// one, in small transactions after READY so the start stays fast and requests are not held up.
asio::awaitable<void> plan_missing_checks(runtime& rt, store::store& db) {
  std::string after;
  int planned = 0;
  const auto started = std::chrono::steady_clock::now();
  for (;;) {
    if (rt.stopping.load()) {
      co_return;
    }
    const auto stages = rt.stages->current();
    auto page_op = [&](store::database& d) -> base::result<lifecycle::missing_checks_page> {
      return lifecycle::plan_missing_checks(d, *stages, after, std::chrono::system_clock::now(),
                                            500, rt.identity_interval);
    };
    auto op = store::in_transaction(page_op);
    auto page = co_await db.write(op);
    if (!page) {
      rt.logs.lifecycle->error("lifecycle_sweep_failed problem={}",
                               base::log_field(page.error().detail));
      co_return;
    }
    planned += page->planned;
    if (!page->last_id) {
      break;
    }
    after = *page->last_id;
  }
  // Finished jobs older than 30 days go at once and then every day, as a durable job: a daemon
  // that runs for months prunes as it goes, not only when it restarts.
  auto prune_op = [](store::database& d) {
    return lifecycle::plan_job_pruning(d, std::chrono::system_clock::now());
  };
  auto plan_prune = store::in_transaction(prune_op);
  if (auto planned_prune = co_await db.write(plan_prune); !planned_prune) {
    rt.logs.lifecycle->error("lifecycle_prune_plan_failed problem={}",
                             base::log_field(planned_prune.error().detail));
  }
  rt.logs.lifecycle->info("lifecycle_sweep_done checks_planned={} took_ms={}", planned,
                          std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - started)
                              .count());
  rt.jobs->nudge();  // the pruning planned above is due now
}

}  // namespace

int run_daemon(const std::filesystem::path& config_path, setup::config cfg) {
  auto logs = make_loggers(cfg.log);
  runtime rt{config_path, std::move(cfg), std::move(logs), {},          nullptr, nullptr,
             nullptr,     nullptr,        nullptr,         nullptr,     {},      {},
             {},          nullptr,        nullptr,         std::nullopt};
  auto& log = *rt.logs.main;
  log.info("starting version={} config={} pid={}", version, base::log_field(config_path.string()),
           ::getpid());

  base::metrics::registry metrics;
  metrics.gauge("rosterd_build_info", "Always 1; labels identify the build.", {"version"}, [] {
    return std::vector<base::metrics::gauge_sample>{{{version}, 1.0}};
  });
  const auto started = std::chrono::system_clock::now();
  metrics.gauge("process_start_time_seconds", "Start time of the process since the Unix epoch.", {},
                [started] {
                  return std::vector<base::metrics::gauge_sample>{
                      {{}, std::chrono::duration<double>(started.time_since_epoch()).count()}};
                });

  // Store first: readiness means migrated.
  rt.notifier.status("Opening store");
  store::options store_options;
  store_options.path = rt.cfg.store.path;
  store_options.busy_timeout = rt.cfg.store.busy_timeout;
  store_options.read_connections = static_cast<int>(rt.cfg.store.read_connections);
  store_options.metrics = &metrics;
  auto db = store::store::open(store_options, rt.logs.store);
  if (!db) {
    log.critical("startup_failed stage=store problem={}",
                 base::log_field(base::describe(db.error()), 1024));
    return exit_failure;
  }

  std::shared_ptr<asio::ssl::context> tls;
  if (rt.cfg.server.tls.enabled) {
    auto key = read_secret(rt.cfg.server.tls.key_file);
    if (!key) {
      log.critical("startup_failed stage=tls problem={}", base::log_field(key.error().detail));
      return exit_config;
    }
    auto ctx = http::make_server_tls_context(rt.cfg.server.tls.cert_file, *key);
    if (!ctx) {
      log.critical("startup_failed stage=tls problem={}", base::log_field(ctx.error().detail));
      return exit_config;
    }
    tls = *ctx;
  }

  // Mail: templates and the SMTP settings are checked before READY, so a broken template or a
  // bad SMTP setting is a config error (exit 78), not a surprise at the first invitation.
  auto templates = notify::template_set::load(rt.cfg.mail.templates_dir);
  if (!templates) {
    log.critical("startup_failed stage=templates problem={}",
                 base::log_field(templates.error().detail, 4096));
    return exit_config;
  }
  auto sender = setup::make_smtp_sender(rt.cfg, rt.logs.notify);
  if (!sender) {
    log.critical("startup_failed stage=mail problem={}", base::log_field(sender.error().detail));
    return exit_config;
  }
  setup::outbox_mailer mailer(*templates, rt.cfg.server.public_url);

  // The vault before anything writes: a wrong or missing key stops here, before READY.
  auto keys = setup::open_vault(rt.cfg, **db);
  if (!keys) {
    log.critical("startup_failed stage=vault problem={}", base::log_field(keys.error().detail));
    return exit_config;
  }
  if (*keys && !(*keys)->memory_locked()) {
    log.warn("vault_key_not_locked note=raise_LimitMEMLOCK_so_the_key_cannot_be_swapped_out");
  }
  auto oauth_services = setup::make_oauth_services(rt.cfg, *keys);
  if (!oauth_services) {
    log.critical("startup_failed stage=oauth problem={}",
                 base::log_field(oauth_services.error().detail, 4096));
    return exit_config;
  }
  // Without providers nothing seals, but SIGHUP still checks a changed key file.
  rt.db = db->get();
  rt.keys = *oauth_services ? (*oauth_services)->keys : std::make_shared<vault::key_holder>(*keys);

  std::optional<base::secret> metrics_token;
  if (!rt.cfg.metrics.token_file.empty()) {
    auto token = read_metrics_token(rt.cfg.metrics);
    if (!token) {
      log.critical("startup_failed stage=metrics problem={}",
                   base::log_field(token.error().detail));
      return exit_config;
    }
    metrics_token = std::move(*token);
  }

  const edge::ops_dependencies ops{**db, metrics, rt.stopping,
                                   metrics_token ? &*metrics_token : nullptr};
  // The API and its routes are built after the relay and the scheduler they call, but declared
  // before the event loop so they outlive it: a request cut off by the drain still holds them
  // when the loop's leftover work is destroyed.
  std::optional<edge::api::api_context> v1;
  http::router routes;
  std::optional<http::dispatcher> dispatch;

  const unsigned workers = rt.cfg.server.workers != 0
                               ? rt.cfg.server.workers
                               : std::max(1U, std::thread::hardware_concurrency());
  asio::io_context io(static_cast<int>(workers));
  std::optional<lifecycle::refresh_scheduler> refreshes;
  if (*oauth_services && (*oauth_services)->keyring()) {
    auto& services = **oauth_services;
    services.refresher = std::make_shared<lifecycle::refresher>(
        **db, services.keys, services.providers, *services.http, lifecycle::refresh_settings{},
        rt.logs.lifecycle);
    auto recover = [&services](store::database& d) {
      return services.refresher->recover_interrupted(d);
    };
    if (auto interrupted = (*db)->write_now(recover); !interrupted) {
      log.critical("startup_failed stage=refresh problem={}",
                   base::log_field(interrupted.error().detail));
      return exit_failure;
    } else if (*interrupted > 0) {
      log.warn("refreshes_interrupted count={} note=settled_on_the_first_scheduler_pass",
               *interrupted);
    }
    lifecycle::scheduler_settings refresh_schedule;
    auto& refresh_outcomes = metrics.counter("rosterd_refresh_outcomes_total",
                                             "Scheduled token refreshes by outcome.", {"outcome"});
    refresh_schedule.on_outcome = [&refresh_outcomes](lifecycle::refresh_outcome o) {
      refresh_outcomes.inc({std::string(lifecycle::to_string(o))});
    };
    refreshes.emplace(io.get_executor(), **db, *services.refresher, refresh_schedule,
                      rt.logs.lifecycle);
    rt.refreshes = &*refreshes;
  }
  notify::relay relay(io.get_executor(), **db, **sender, setup::relay_settings_from(rt.cfg),
                      setup::invitation_hooks(rt.logs.notify), rt.logs.notify, &metrics);
  rt.relay = &relay;
  // Its own loop and threads: a slow receiver never holds up email or another endpoint.
  lifecycle::webhook_dispatcher webhooks(
      io.get_executor(), **db, setup::webhook_settings_from(rt.cfg), rt.logs.lifecycle, &metrics);
  rt.webhooks = &webhooks;

  // The lifecycle: connection checks (status, creator reminders, team alerts) and digests, as
  // durable jobs. It runs without providers too: digests and revocations still go out.
  lifecycle::stage_settings_holder stages(setup::stage_settings_from(rt.cfg.reminders));
  rt.stages = &stages;
  const lifecycle::provider_registry no_providers;
  lifecycle::link_settings links;
  links.public_url = rt.cfg.server.public_url;
  if (*oauth_services) {
    links = (*oauth_services)->links;
  }
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  lifecycle::job_scheduler jobs(
      io.get_executor(), **db, std::string(host) + ":" + std::to_string(::getpid()),
      setup::job_scheduler_settings_from(rt.cfg.lifecycle), rt.logs.lifecycle);
  rt.jobs = &jobs;
  const auto system_clock = [] { return std::chrono::system_clock::now(); };
  auto& notices = metrics.counter(
      "rosterd_lifecycle_notices_total",
      "Reminder and alert stages sent, by audience (creator, team, admins) and stage.",
      {"audience", "stage"});
  std::optional<lifecycle::identity_checker> identities;
  if (*oauth_services && (*oauth_services)->keyring() &&
      rt.cfg.lifecycle.identity_check_interval.count() > 0) {
    auto& services = **oauth_services;
    identities.emplace(
        **db, services.keys, services.providers, *services.http,
        std::chrono::duration_cast<std::chrono::seconds>(rt.cfg.lifecycle.identity_check_interval),
        rt.logs.lifecycle, system_clock, services.refresher.get(), services.broker_refresh_margin);
    jobs.on(std::string(lifecycle::identity_check_kind),
            [&identities](const lifecycle::job& j) { return identities->run(j); });
    rt.identity_interval =
        std::chrono::duration_cast<std::chrono::seconds>(rt.cfg.lifecycle.identity_check_interval);
  }
  lifecycle::add_lifecycle_jobs(
      jobs, **db,
      {*oauth_services ? (*oauth_services)->providers : no_providers, stages, mailer, links,
       [&relay] { relay.nudge(); }, [&webhooks] { webhooks.nudge(); }, rt.identity_interval,
       [&notices](std::string_view audience, std::string_view stage) {
         notices.inc({std::string(audience), std::string(stage)});
       },
       rt.logs.lifecycle},
      system_clock);

  v1.emplace(**db, mailer, edge::api::api_settings_from(rt.cfg), rt.logs.http, *oauth_services,
             edge::api::api_hooks{
                 .mail_queued = [&relay] { relay.nudge(); },
                 .connections_changed =
                     [&refreshes, &jobs] {
                       if (refreshes) {  // none without a provider and a key
                         refreshes->nudge();
                       }
                       jobs.nudge();  // a connect or disconnect asked for a lifecycle check
                     },
                 .webhooks_queued = [&webhooks] { webhooks.nudge(); },
                 .render = [&mailer](const roster::mail_intent& intent)
                     -> base::result<edge::api::rendered_text> {
                   auto r = mailer.render(intent);
                   if (!r) {
                     return r.error();
                   }
                   return edge::api::rendered_text{r->subject, r->text_body};
                 },
                 .now = [] { return std::chrono::system_clock::now(); },
             });
  rt.api = &*v1;
  edge::add_edge_routes(routes, ops, *v1);
  dispatch.emplace(routes, metrics, rt.logs.http,
                   http::dispatch_options{.https_public_url =
                                              rt.cfg.server.public_url.rfind("https://", 0) == 0});

  auto server_limits = limits_from(rt.cfg.server);
  if (!v1->settings.proxies.proxies.empty()) {
    // Behind a reverse proxy every client arrives from the proxy: the per-peer cap would cap
    // them all together. Their own addresses are still rate-limited per request.
    server_limits.uncapped_peer = [trust = v1->settings.proxies](const asio::ip::address& a) {
      return trust.trusts(a);
    };
  }
  http::server server(io, server_limits, *dispatch, tls, rt.logs.http);
  rt.server = &server;
  metrics.gauge("rosterd_http_connections_active", "Open client connections.", {}, [&server] {
    return std::vector<base::metrics::gauge_sample>{
        {{}, static_cast<double>(server.active_connections())}};
  });

  const auto inherited = socket_activation_fds();
  std::vector<asio::ip::tcp::endpoint> bound;
  if (!inherited.empty()) {
    for (int fd : inherited) {
      auto ep = server.adopt(fd);
      if (!ep) {
        log.critical("startup_failed stage=listen problem={}", base::log_field(ep.error().detail));
        return exit_failure;
      }
      bound.push_back(*ep);
    }
    log.info("socket_activation fds={} note=server.listen_ignored", inherited.size());
    // The config check saw server.listen, not these sockets: apply the same rule to them.
    if (auto exposed = setup::check_plain_http_listeners(rt.cfg.server.public_url, bound);
        !exposed) {
      log.critical("startup_failed stage=listen problem={}",
                   base::log_field("server.public_url: " + exposed.error().detail, 1024));
      return exit_config;
    }
  } else {
    for (const auto& address : rt.cfg.server.listen) {
      auto ep = server.listen(*setup::parse_listen_address(address));
      if (!ep) {
        log.critical("startup_failed stage=listen problem={}", base::log_field(ep.error().detail));
        return exit_failure;
      }
      bound.push_back(*ep);
    }
  }
  for (const auto& ep : bound) {
    rt.serving += (rt.serving.empty() ? "" : ", ") + url_of(ep, tls != nullptr);
  }
  server.start();
  relay.start();     // mail queued before a crash or restart goes out now
  webhooks.start();  // so do webhook deliveries
  if (refreshes) {
    refreshes->start();  // refreshes that fell due while we were down run now, a few at a time
  }
  jobs.start();  // reminders and alerts due while we were down go out now, collapsed per deadline
  asio::co_spawn(io, plan_missing_checks(rt, **db), asio::detached);

  // Handlers are installed here, before READY: a SIGTERM or SIGHUP right after READY must not
  // meet the default action (terminate).
  asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  asio::co_spawn(io, handle_signals(rt, io, signals), asio::detached);
  if (auto interval = systemd_notifier::watchdog_interval()) {
    asio::co_spawn(io, feed_watchdog(rt, *interval), asio::detached);
  }

  log.info("ready serving={} workers={} schema_version={}", base::log_field(rt.serving), workers,
           (*db)->schema_version());
  rt.notifier.ready("Serving on " + rt.serving);

  std::vector<std::thread> threads;
  for (unsigned i = 1; i < workers; ++i) {
    threads.emplace_back([&io] { io.run(); });
  }
  io.run();
  for (auto& t : threads) {
    t.join();
  }
  // Work that resumes on `io` must end while `io` exists: a request cut off by the drain
  // deadline may still wait for a password check (at most the pool's bounded queue) or a store
  // operation. Joining those threads here, before `io` is destroyed, means no thread hands a
  // completion to an event loop that is gone.
  v1->hashing.join();
  (*db)->close();
  log.info("stopped");
  return exit_ok;
}

}  // namespace rosterd::daemon

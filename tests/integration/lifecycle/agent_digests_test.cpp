// Notification preferences and agents' daily digests against a real SQLite file, with the real
// templates rendered into the real outbox.

#include "lifecycle/agent_digests.hpp"

#include <catch2/catch.hpp>

#include "lifecycle/connections.hpp"
#include "lifecycle/reconnect_links.hpp"
#include "lifecycle_fixture.hpp"
#include "notify/templates.hpp"
#include "roster/notification_preferences.hpp"
#include "setup/outbox_mailer.hpp"
#include "store/sql.hpp"
#include "store/timestamp.hpp"
#include "store/transaction.hpp"

using namespace rosterd;
using namespace rosterd::testing;

namespace {

roster::time_point at(const char* iso) {
  return store::parse_iso8601_utc(iso).value();
}

struct digests : lifecycle_fixture {
  digests() {
    for (const char* id : {"instagram", "tiktok"}) {
      oauth::provider_settings s;
      s.client_id = std::string("test-") + id;
      s.client_secret = base::secret(std::string("secret-") + id);
      s.redirect_uri = std::string("https://roster.test/oauth/") + id + "/callback";
      providers.add(oauth::resolve(oauth::find_builtin_profile(id).value(), std::move(s)).value());
    }
    ana_instagram = connect(ana, "instagram", at("2026-12-01T10:00:00Z"));
    ben_tiktok = connect(ben, "tiktok", at("2026-12-01T10:00:00Z"));
  }

  std::string connect(const std::string& creator, const std::string& provider,
                      roster::time_point when) {
    lifecycle::new_grant g;
    g.provider = provider;
    g.external_id = provider + "-" + creator;
    g.username = "user";
    g.access_token = base::secret("access-" + creator + "-" + provider);
    g.access_expires_at = when + std::chrono::hours(2);
    return db
        ->write_now([&](store::database& d) {
          return lifecycle::save_connection(d, keys, account_id, creator, g, when);
        })
        .value()
        .record.id;
  }

  void prefer(const std::string& user, const std::string& zone, int hour) {
    roster::preference_change c;
    c.delivery = "digest";
    c.digest_hour = hour;
    c.time_zone = zone;
    db->write_now([&](store::database& d) {
        return roster::save_notification_preferences(d, user, c, now);
      }).value();
  }

  lifecycle::digest_item item(const std::string& user, const std::string& creator,
                              const std::string& connection, const std::string& provider,
                              const std::string& stage, const std::string& status,
                              const std::string& reason, const std::string& due) {
    return {user, account_id, creator, connection, provider, stage, due, status, reason, due};
  }

  void hold(const lifecycle::digest_item& i, roster::time_point when) {
    db->write_now([&](store::database& d) {
        return lifecycle::hold_for_digest(d, i, when);
      }).value();
  }

  bool send(const std::string& user, const std::string& key, roster::time_point when) {
    return db
        ->write_now([&](store::database& d) {
          // The job runner calls it inside its transaction, as the outbox requires.
          auto tx = store::transaction::begin(d).value();
          auto sent =
              lifecycle::send_digest(d, mailer, providers, settings_for_digest, user, key, when);
          if (!sent) {
            return sent;
          }
          if (auto committed = tx.commit(); !committed) {
            return base::result<bool>(committed.error());
          }
          return sent;
        })
        .value();
  }

  std::string outbox_text(const std::string& column) {
    return db
        ->read_now([&](store::database& d) {
          return store::sql::first(
              d, "SELECT " + column + " FROM outbox WHERE template = 'agent_digest'",
              [](store::statement& s) { return s.column_text(0); });
        })
        .value()
        .value_or("");
  }

  static std::vector<std::string> link_tokens(const std::string& text) {
    std::vector<std::string> out;
    const std::string marker = "https://roster.test/connect/";
    for (auto p = text.find(marker); p != std::string::npos; p = text.find(marker, p + 1)) {
      const auto start = p + marker.size();
      const auto end = text.find_first_of("\n \"<", start);
      out.push_back(text.substr(start, end - start));
    }
    return out;
  }

  lifecycle::provider_registry providers;
  notify::template_set templates = notify::template_set::load().value();
  setup::outbox_mailer mailer{templates, "https://roster.test"};
  lifecycle::digest_settings settings_for_digest{
      {std::chrono::hours(24 * 7), "https://roster.test"}};
  std::string ana_instagram;
  std::string ben_tiktok;
};

}  // namespace

TEST_CASE("preferences default to immediate UTC and round-trip once set", "[digests]") {
  digests f;
  auto defaults = f.db->read_now([&](store::database& d) {
                        return roster::read_notification_preferences(d, f.owner_id);
                      })
                      .value();
  CHECK(defaults.delivery == roster::alert_delivery::immediate);
  CHECK(defaults.digest_hour == 9);
  CHECK(defaults.time_zone == "UTC");
  CHECK_FALSE(defaults.updated_at);

  f.prefer(f.owner_id, "Europe/Paris", 8);
  auto saved = f.db->read_now([&](store::database& d) {
                     return roster::read_notification_preferences(d, f.owner_id);
                   })
                   .value();
  CHECK(saved.delivery == roster::alert_delivery::digest);
  CHECK(saved.digest_hour == 8);
  CHECK(saved.time_zone == "Europe/Paris");
  CHECK(saved.updated_at);

  roster::preference_change bad;
  bad.digest_hour = 24;
  bad.time_zone = "Europe/Paris";
  auto refused = f.db->write_now([&](store::database& d) {
    return roster::save_notification_preferences(d, f.owner_id, bad, f.now);
  });
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().client_message.rfind("digest_hour: 24", 0) == 0);
  CHECK(f.count("SELECT digest_hour FROM notification_preferences") == 8);
}

TEST_CASE("an alert held for a Paris 08:00 digest schedules one job at 07:00 UTC in winter",
          "[digests]") {
  digests f;
  f.prefer(f.owner_id, "Europe/Paris", 8);
  const auto when = at("2026-12-14T15:00:00Z");
  f.hold(f.item(f.owner_id, f.ana, f.ana_instagram, "instagram", "7d", "expiring", "renewal_due",
                "2026-12-21T10:00:00Z"),
         when);
  f.hold(f.item(f.owner_id, f.ben, f.ben_tiktok, "tiktok", "expired", "expired", "login_expired",
                "2026-12-14T09:00:00Z"),
         when + std::chrono::hours(1));
  // The same alert again is ignored.
  f.hold(f.item(f.owner_id, f.ben, f.ben_tiktok, "tiktok", "expired", "expired", "login_expired",
                "2026-12-14T09:00:00Z"),
         when + std::chrono::hours(2));
  CHECK(f.count("SELECT COUNT(*) FROM digest_items") == 2);
  CHECK(f.count("SELECT COUNT(*) FROM jobs WHERE kind = 'agent_digest'") == 1);
  auto job =
      f.db->read_now([&](store::database& d) {
            return store::sql::first(
                d, "SELECT idempotency_key || ' ' || due_at FROM jobs WHERE kind = 'agent_digest'",
                [](store::statement& s) { return s.column_text(0); });
          })
          .value();
  CHECK(job.value() == "agent_digest:" + f.owner_id + ":2026-12-15T07:00:00Z 2026-12-15T07:00:00Z");
}

TEST_CASE("a digest is one email, most urgent creator first, with a working link per creator",
          "[digests]") {
  digests f;
  f.prefer(f.owner_id, "Europe/Paris", 8);
  const auto when = at("2026-12-14T15:00:00Z");
  f.hold(f.item(f.owner_id, f.ana, f.ana_instagram, "instagram", "7d", "expiring", "renewal_due",
                "2026-12-21T10:00:00Z"),
         when);
  f.hold(f.item(f.owner_id, f.ben, f.ben_tiktok, "tiktok", "expired", "expired", "login_expired",
                "2026-12-14T09:00:00Z"),
         when);
  const auto digest_at = at("2026-12-15T07:00:00Z");
  const auto key = lifecycle::digest_job_key(f.owner_id, digest_at);
  CHECK(f.send(f.owner_id, key, digest_at));
  CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE template = 'agent_digest'") == 1);
  CHECK(f.count("SELECT COUNT(*) FROM digest_items WHERE digest_key IS NULL") == 0);

  const auto text = f.outbox_text("text_body");
  INFO(text);
  CHECK(f.outbox_text("recipient") == "owner@agency.test");
  CHECK(f.outbox_text("subject") ==
        "2 creators need attention: your roster digest for 15 December 2026");
  const auto ben_at = text.find("Ben Ode");
  const auto ana_at = text.find("Ana Lima");
  REQUIRE(ben_at != std::string::npos);
  REQUIRE(ana_at != std::string::npos);
  CHECK(ben_at < ana_at);  // expired before expiring
  CHECK(text.find("TikTok: Expired on 14 December 2026. Your TikTok login expired") !=
        std::string::npos);
  CHECK(text.find("Instagram: Expires on 21 December 2026.") != std::string::npos);

  const auto tokens = digests::link_tokens(text);
  REQUIRE(tokens.size() == 2);
  auto first = f.db->read_now(
      [&](store::database& d) { return lifecycle::open_link(d, tokens[0], digest_at); });
  REQUIRE(first.has_value());
  CHECK(first->creator_name == "Ben Ode");
  CHECK(first->link.providers == std::vector<std::string>{"tiktok"});
  auto second = f.db->read_now(
      [&](store::database& d) { return lifecycle::open_link(d, tokens[1], digest_at); });
  REQUIRE(second.has_value());
  CHECK(second->creator_name == "Ana Lima");
  CHECK(second->link.providers == std::vector<std::string>{"instagram"});
  CHECK(digests::link_tokens(f.outbox_text("html_body")).size() == 6);  // button, text, address

  SECTION("running the same digest again queues nothing new") {
    CHECK_FALSE(f.send(f.owner_id, key, digest_at + std::chrono::minutes(5)));
    CHECK(f.count("SELECT COUNT(*) FROM outbox") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM reconnect_links") == 2);
  }
  SECTION("no token reaches the outbox except inside the link addresses") {
    std::string everything;
    f.db->read_now([&](store::database& d) {
          return store::sql::each(d, "SELECT subject || text_body || html_body FROM outbox",
                                  [&](store::statement& s) { everything += s.column_text(0); });
        })
        .value();
    for (const auto& t : tokens) {
      std::string rest = everything;
      for (auto p = rest.find("https://roster.test/connect/" + t); p != std::string::npos;
           p = rest.find("https://roster.test/connect/" + t)) {
        rest.erase(p, std::string("https://roster.test/connect/").size() + t.size());
      }
      CHECK(rest.find(t) == std::string::npos);
    }
    CHECK(everything.find("access-") == std::string::npos);  // no platform token either
    CHECK(everything.find("rdlink_") != std::string::npos);
  }
}

TEST_CASE("an item about a creator the agent no longer sees is not mailed", "[digests]") {
  digests f;
  const auto amy = f.user_id("amy@agency.test");
  f.amy();  // joins the account
  f.prefer(amy, "UTC", 8);
  const auto when = at("2026-12-14T15:00:00Z");
  // Amy is on Ana's team only; an alert about Ben (from before a team change) is dropped.
  f.hold(f.item(amy, f.ben, f.ben_tiktok, "tiktok", "expired", "expired", "login_expired",
                "2026-12-14T09:00:00Z"),
         when);
  const auto key = lifecycle::digest_job_key(amy, at("2026-12-15T08:00:00Z"));
  CHECK_FALSE(f.send(amy, key, at("2026-12-15T08:00:00Z")));
  CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE template = 'agent_digest'") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM digest_items WHERE digest_key IS NULL") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM reconnect_links") == 0);

  SECTION("while an item about her own creator in the same digest still goes out") {
    f.hold(f.item(amy, f.ben, f.ben_tiktok, "tiktok", "1d", "expiring", "renewal_due",
                  "2026-12-16T09:00:00Z"),
           when);
    f.hold(f.item(amy, f.ana, f.ana_instagram, "instagram", "1d", "expiring", "renewal_due",
                  "2026-12-16T09:00:00Z"),
           when);
    const auto later = lifecycle::digest_job_key(amy, at("2026-12-16T08:00:00Z"));
    CHECK(f.send(amy, later, at("2026-12-16T08:00:00Z")));
    const auto text = f.outbox_text("text_body");
    CHECK(text.find("Ana Lima") != std::string::npos);
    CHECK(text.find("Ben Ode") == std::string::npos);
    CHECK(f.outbox_text("subject").rfind("1 creator needs attention", 0) == 0);
  }
}

TEST_CASE("an alert about a connection reconnected since is not mailed", "[digests]") {
  digests f;
  const auto when = at("2026-12-14T15:00:00Z");
  f.hold(f.item(f.owner_id, f.ana, f.ana_instagram, "instagram", "7d", "expiring", "renewal_due",
                "2026-12-21T10:00:00Z"),
         when);
  f.connect(f.ana, "instagram", when + std::chrono::hours(1));
  const auto key = lifecycle::digest_job_key(f.owner_id, at("2026-12-15T09:00:00Z"));
  CHECK_FALSE(f.send(f.owner_id, key, at("2026-12-15T09:00:00Z")));
  CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE template = 'agent_digest'") == 0);
}

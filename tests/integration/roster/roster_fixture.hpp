#pragma once
// A real SQLite roster in a temporary directory, an account with its owner signed up, and a
// mailer that records what would be sent (the outbox and SMTP have their own tests).

#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "roster/access.hpp"
#include "roster/accounts.hpp"
#include "roster/invitations.hpp"
#include "roster/mail.hpp"
#include "roster/onboarding_plan.hpp"
#include "roster/people.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"
#include "tests/support/process.hpp"

namespace rosterd::testing {

/// Records every intent; can be told to fail after N messages (to prove all-or-nothing).
class recording_mailer final : public roster::mailer {
 public:
  base::result<void> enqueue(store::database&, const roster::mail_intent& intent) override {
    if (fail_after && sent.size() >= *fail_after) {
      return base::fail(std::errc::io_error, "mail queue unavailable (test)");
    }
    sent.push_back(intent);
    return {};
  }
  base::result<void> cancel(store::database&, std::string_view kind, std::string_view id) override {
    cancelled.emplace_back(std::string(kind) + ":" + std::string(id));
    return {};
  }
  std::vector<std::string> cancelled;
  /// The token in the last message to `recipient` (from its accept_url), or "".
  std::string token_for(const std::string& recipient) const {
    for (auto it = sent.rbegin(); it != sent.rend(); ++it) {
      if (it->recipient != recipient) {
        continue;
      }
      for (const auto& [k, v] : it->values) {
        if (k == "accept_url" || k == "reset_url") {
          return v.substr(v.find("token=") + 6);
        }
      }
    }
    return "";
  }
  std::vector<roster::mail_intent> sent;
  std::optional<std::size_t> fail_after;
};

struct roster_fixture {
  roster_fixture() {
    store::options opts;
    opts.path = dir / "roster.db";
    opts.read_connections = 2;
    db = store::store::open(opts, nullptr).value();
    auto made = db->write_now([&](store::database& d) {
      return roster::bootstrap_account(d, settings, "Talent Partnerships", "owner@agency.test",
                                       roster::actor::cli(), now);
    });
    account_id = made.value().account_id;
    owner_id = made.value().owner_user_id;
    owner_token = std::string(made.value().setup->token.reveal());
  }

  roster::onboarding_file parse(const std::string& csv) {
    return roster::parse_onboarding_csv(csv, options).value();
  }
  roster::onboarding_plan plan(const std::string& csv) {
    auto file = parse(csv);
    return db
        ->read_now([&](store::database& d) {
          return roster::plan_onboarding(d, account_id, file, options);
        })
        .value();
  }
  base::result<roster::onboarding_plan> try_apply(const std::string& csv) {
    auto file = parse(csv);
    return db->write_now([&](store::database& d) {
      return roster::apply_onboarding(d, mail, settings, account_id, file, options,
                                      roster::actor::cli(), now);
    });
  }
  roster::onboarding_plan apply(const std::string& csv) { return try_apply(csv).value(); }

  std::int64_t count(const std::string& sql) {
    return db->read_now([&](store::database& d) { return store::sql::integer(d, sql); }).value();
  }
  std::string user_id(const std::string& email) {
    return db
        ->read_now([&](store::database& d) {
          return store::sql::first(
              d, "SELECT id FROM users WHERE email = ?",
              [](store::statement& s) { return s.column_text(0); }, email);
        })
        .value()
        .value();
  }
  std::string creator_id(const std::string& email) {
    return db
        ->read_now([&](store::database& d) {
          return store::sql::first(
              d, "SELECT c.id FROM creators c JOIN users u ON u.id = c.user_id WHERE u.email = ?",
              [](store::statement& s) { return s.column_text(0); }, email);
        })
        .value()
        .value();
  }
  /// The person as a caller in the fixture's account, after joining it (as accepting their
  /// invitation would; a membership nobody accepted gives no caller).
  roster::caller caller_for(const std::string& email) {
    const auto id = user_id(email);
    join(id, account_id);
    return db
        ->read_now([&](store::database& d) { return roster::caller_for_user(d, id, account_id); })
        .value();
  }
  /// Gives the person a password and joins them to `account` (the fixture's by default)
  /// directly, as if they had accepted its invitation.
  void activate(const std::string& email, const std::string& account = {}) {
    const auto id = user_id(email);
    db->write_now([&](store::database& d) {
        return store::sql::run(d, "UPDATE users SET password_hash = 'x' WHERE id = ?", id);
      }).value();
    join(id, account.empty() ? account_id : account);
  }
  void join(const std::string& user, const std::string& account) {
    db->write_now([&](store::database& d) {
        return roster::join_membership(d, account, user, now);
      }).value();
  }

  temp_directory dir;
  std::unique_ptr<store::store> db;
  recording_mailer mail;
  roster::roster_settings settings;
  roster::onboarding_options options;
  roster::time_point now = std::chrono::system_clock::now();
  std::string account_id;
  std::string owner_id;
  std::string owner_token;
};

inline const std::string header =
    "Creator Name,Creator Email,Does this creator have an account?,"
    "Emails of agency team members who require access\n";

}  // namespace rosterd::testing

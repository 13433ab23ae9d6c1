// Key rotation against a real SQLite file: every sealed value moves to the newest key and still
// opens, a value the daemon rewrote mid-batch is never overwritten, an interrupted rotation
// resumes, and 10,000 connections rotate while readers keep opening tokens (within 60 s on 2
// cores).

#include "lifecycle/key_rotation.hpp"

#include <atomic>
#include <random>
#include <thread>

#include <catch2/catch.hpp>

#include "lifecycle/connections.hpp"
#include "lifecycle/oauth_attempts.hpp"
#include "lifecycle_fixture.hpp"
#include "store/in_transaction.hpp"

using namespace rosterd;
using namespace rosterd::testing;

namespace {

// Two keys: "old" holds version 1 only (the daemon before rotation), "both" holds 1 and 2
// (after the new line was added), "new_only" holds 2 only (after version 1 was retired).
struct rotation : lifecycle_fixture {
  rotation()
      : line1(vault::generate_key_file_line(1).reveal()),
        line2(vault::generate_key_file_line(2).reveal()),
        old_keys(vault::keyring::parse(line1, "v1").value()),
        both(vault::keyring::parse(line1 + "\n" + line2, "v1+v2").value()),
        new_only(vault::keyring::parse(line2, "v2").value()) {}

  // Rows written straight into the table: seeding 10,000 through save_connection would spend
  // the test's time on events and lookups that rotation never touches.
  std::vector<std::string> seed(std::size_t n, const vault::keyring& k, bool with_refresh = true) {
    std::vector<std::string> ids;
    auto insert = store::in_transaction([&](store::database& d) -> base::result<void> {
      for (std::size_t i = 0; i < n; ++i) {
        const auto id = "con_" + std::to_string(100000 + seeded + i);
        auto access = k.seal("ACCESS-" + id, {"connections", id, "access_token"}).value();
        std::optional<std::vector<std::uint8_t>> refresh;
        if (with_refresh) {
          refresh = k.seal("REFRESH-" + id, {"connections", id, "refresh_token"}).value();
        }
        auto done = store::sql::run(
            d,
            "INSERT INTO connections (id, account_id, creator_id, provider, status, "
            "status_changed_at, external_id, access_token, refresh_token, connected_at) "
            "VALUES (?, ?, ?, ?, 'connected', 't', ?, ?, ?, 't')",
            id, account_id, ana, "p" + id, id, access, refresh);
        if (!done) {
          return done;
        }
        ids.push_back(id);
      }
      return {};
    });
    db->write_now(insert).value();
    seeded += n;
    return ids;
  }

  std::string attempt(const vault::keyring& k) {
    lifecycle::attempt_request r;
    r.account_id = account_id;
    r.creator_id = ana;
    r.provider = "tiktok";
    r.redirect_uri = "https://roster.test/oauth/tiktok/callback";
    r.pkce_verifier = "VERIFIER-0123456789abcdefghijklmnopqrstuvwxyz";
    auto started = db->write_now(
        [&](store::database& d) { return lifecycle::create_attempt(d, k, r, "browser", now); });
    return std::string(started.value().state.reveal());
  }

  // What a refresh does to the row: new tokens, sealed under whatever keyring it holds.
  void refresh(const std::string& id, const vault::keyring& k, const std::string& access) {
    auto sealed = k.seal(access, {"connections", id, "access_token"}).value();
    db->write_now([&](store::database& d) {
        return store::sql::run(d, "UPDATE connections SET access_token = ? WHERE id = ?", sealed,
                               id);
      }).value();
  }

  base::result<lifecycle::token_pair> tokens(const std::string& id, const vault::keyring& k) {
    return db->read_now([&](store::database& d) { return lifecycle::read_tokens(d, k, id); });
  }

  lifecycle::key_version_counts counts() {
    return db->read_now([](store::database& d) { return lifecycle::count_key_versions(d); })
        .value();
  }

  std::string line1;
  std::string line2;
  vault::keyring old_keys;
  vault::keyring both;
  vault::keyring new_only;
  std::size_t seeded = 0;
};

using counts_map = std::map<std::uint32_t, std::uint64_t>;

}  // namespace

TEST_CASE("rotation moves every sealed value to the newest key and each still opens",
          "[rotation]") {
  rotation f;
  const auto ids = f.seed(40, f.old_keys);
  f.seed(10, f.old_keys, /*with_refresh=*/false);
  const auto state = f.attempt(f.old_keys);
  CHECK(f.counts().by_version == counts_map{{1, 91}});

  lifecycle::rotation_options options;
  options.batch_rows = 7;  // several batches per column, the last one partial
  const auto report = lifecycle::rotate_keys(*f.db, f.both, options).value();
  CHECK(report.target_version == 2);
  CHECK(report.rewrapped == 91);
  CHECK(report.already_current == 0);
  CHECK(report.skipped_changed == 0);
  CHECK(report.failed == 0);
  CHECK_FALSE(report.stopped);
  CHECK(report.remaining.by_version == counts_map{{2, 91}});
  CHECK(f.counts().by_version == counts_map{{2, 91}});

  // Version 1 is removable: a keyring without it opens everything.
  for (const auto& id : ids) {
    auto t = f.tokens(id, f.new_only);
    REQUIRE(t.has_value());
    CHECK(t->access_token.reveal() == "ACCESS-" + id);
    REQUIRE(t->refresh_token);
    CHECK(t->refresh_token->reveal() == "REFRESH-" + id);
  }
  auto claimed = f.db->write_now([&](store::database& d) {
    return lifecycle::claim_attempt(d, f.new_only, state, "tiktok", std::string_view("browser"),
                                    f.now);
  });
  REQUIRE(claimed.has_value());
  REQUIRE(claimed->pkce_verifier);
  CHECK(claimed->pkce_verifier->reveal() == "VERIFIER-0123456789abcdefghijklmnopqrstuvwxyz");

  // Running it again finds nothing to do and decrypts nothing.
  const auto again = lifecycle::rotate_keys(*f.db, f.both, options).value();
  CHECK(again.rewrapped == 0);
  CHECK(again.already_current == 91);
}

TEST_CASE("a value rewritten between the rotation's read and write is kept as written",
          "[rotation]") {
  rotation f;
  const auto ids = f.seed(5, f.old_keys);
  const auto& target = ids[2];
  lifecycle::rotation_options options;
  bool first = true;

  SECTION("by a daemon that already seals with the new key") {
    options.before_write = [&] {
      if (std::exchange(first, false)) {
        f.refresh(target, f.both, "ACCESS-REFRESHED");
      }
    };
    const auto report = lifecycle::rotate_keys(*f.db, f.both, options).value();
    CHECK(report.skipped_changed == 1);
    CHECK(report.rewrapped == 9);
    CHECK(report.remaining.by_version == counts_map{{2, 10}});
    CHECK(f.tokens(target, f.new_only).value().access_token.reveal() == "ACCESS-REFRESHED");
  }
  SECTION("by a daemon still on the old key: kept, and counted as left on version 1") {
    options.before_write = [&] {
      if (std::exchange(first, false)) {
        f.refresh(target, f.old_keys, "ACCESS-REFRESHED");
      }
    };
    const auto report = lifecycle::rotate_keys(*f.db, f.both, options).value();
    CHECK(report.skipped_changed == 1);
    CHECK(report.remaining.by_version == counts_map{{1, 1}, {2, 9}});
    CHECK(f.tokens(target, f.both).value().access_token.reveal() == "ACCESS-REFRESHED");
  }
}

TEST_CASE("an interrupted rotation resumes where it stopped and leaves nothing on the old key",
          "[rotation]") {
  rotation f;
  const auto ids = f.seed(100, f.old_keys);
  lifecycle::rotation_options options;
  options.batch_rows = 10;
  options.after_batch = [](const lifecycle::rotation_report& r) { return r.batches < 3; };
  const auto stopped = lifecycle::rotate_keys(*f.db, f.both, options).value();
  CHECK(stopped.stopped);
  CHECK(stopped.rewrapped == 30);
  CHECK(stopped.remaining.by_version == counts_map{{1, 170}, {2, 30}});
  // Mid-rotation both versions are in use; the daemon (holding both keys) opens every row.
  for (const auto& id : ids) {
    CHECK(f.tokens(id, f.both).has_value());
  }

  options.after_batch = nullptr;
  const auto resumed = lifecycle::rotate_keys(*f.db, f.both, options).value();
  CHECK_FALSE(resumed.stopped);
  CHECK(resumed.rewrapped == 170);
  CHECK(resumed.already_current == 30);
  CHECK(resumed.remaining.by_version == counts_map{{2, 200}});
}

TEST_CASE("a value that cannot be opened is counted and skipped; the rest still move",
          "[rotation]") {
  rotation f;
  const auto ids = f.seed(3, f.old_keys);
  // Another row's ciphertext: its binding does not match, so it fails closed.
  f.db->write_now([&](store::database& d) {
        return d.exec(
            "UPDATE connections SET refresh_token = (SELECT refresh_token FROM "
            "connections WHERE id = '" +
            ids[0] + "') WHERE id = '" + ids[1] + "'");
      })
      .value();
  const auto report = lifecycle::rotate_keys(*f.db, f.both).value();
  CHECK(report.failed == 1);
  REQUIRE(report.unmovable.size() == 1);
  CHECK(report.unmovable[0].column == "connections.refresh_token");
  CHECK(report.unmovable[0].row_id == ids[1]);
  CHECK(report.rewrapped == 5);
  CHECK(report.remaining.by_version == counts_map{{1, 1}, {2, 5}});
}

TEST_CASE("key version counts cover every sealed column and flag values without a header",
          "[rotation]") {
  rotation f;
  f.seed(4, f.old_keys);
  f.seed(3, f.both, /*with_refresh=*/false);
  f.attempt(f.both);
  f.db->write_now([&](store::database& d) {
        return d.exec("UPDATE connections SET refresh_token = X'00112233' WHERE id = 'con_100000'");
      })
      .value();
  const auto c = f.counts();
  CHECK(c.by_version == counts_map{{1, 7}, {2, 4}});
  CHECK(c.by_column.at("connections.access_token") == counts_map{{1, 4}, {2, 3}});
  CHECK(c.by_column.at("connections.refresh_token") == counts_map{{1, 3}});
  CHECK(c.by_column.at("oauth_attempts.pkce_verifier") == counts_map{{2, 1}});
  CHECK(c.unreadable == 1);
  CHECK(c.total() == 12);
  CHECK(c.under(1) == 7);
  CHECK(c.not_under(2) == 8);
  CHECK(c.under(3) == 0);
}

TEST_CASE("10,000 connections rotate while readers and refreshes run: no failed read, none left",
          "[rotation][load]") {
  rotation f;
  const auto ids = f.seed(10000, f.old_keys);
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> reads{0};
  std::atomic<std::uint64_t> failed_reads{0};
  std::atomic<std::uint64_t> refreshes{0};

  // Readers open both tokens of random connections through the store's read pool, with the
  // keyring the reloaded daemon holds; every token must open and be the row's own.
  auto reader = [&](unsigned seed) {
    std::mt19937 pick(seed);
    std::uniform_int_distribution<std::size_t> any(0, ids.size() - 1);
    while (!done.load()) {
      const auto& id = ids[any(pick)];
      auto t = f.tokens(id, f.both);
      const bool ok = t && t->access_token.reveal().find("ACCESS-" + id) == 0 && t->refresh_token &&
                      t->refresh_token->reveal() == "REFRESH-" + id;
      ++(ok ? reads : failed_reads);
    }
  };
  // A refresher rewrites access tokens under the new key, as the daemon does after SIGHUP; the
  // rotation's compare-and-swap must not undo any of them.
  auto refresher = [&] {
    std::mt19937 pick(7);
    std::uniform_int_distribution<std::size_t> any(0, ids.size() - 1);
    while (!done.load()) {
      const auto& id = ids[any(pick)];
      f.refresh(id, f.both, "ACCESS-" + id + "-refreshed");
      ++refreshes;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  };
  std::vector<std::thread> threads;
  threads.emplace_back(reader, 1U);
  threads.emplace_back(reader, 2U);
  threads.emplace_back(refresher);

  const auto started = std::chrono::steady_clock::now();
  auto report = lifecycle::rotate_keys(*f.db, f.both);
  const auto took = std::chrono::steady_clock::now() - started;
  done = true;
  for (auto& t : threads) {
    t.join();
  }
  REQUIRE(report.has_value());
  INFO("rotation took " << std::chrono::duration<double>(took).count() << " s; " << reads.load()
                        << " reads, " << refreshes.load() << " refreshes, "
                        << report->skipped_changed << " values rewritten during their batch");
  CHECK(failed_reads.load() == 0);
  CHECK(reads.load() > 0);
  CHECK(report->failed == 0);
  CHECK(report->rewrapped + report->skipped_changed + report->already_current == 20000);
  CHECK(report->remaining.under(1) == 0);
  CHECK(report->remaining.under(2) == 20000);
  CHECK(took < std::chrono::seconds(60));  // the 60 s budget, here under the sanitizers
  // Every refreshed token survived the rotation.
  std::uint64_t refreshed = 0;
  for (const auto& id : ids) {
    auto t = f.tokens(id, f.new_only);
    REQUIRE(t.has_value());
    refreshed += t->access_token.reveal() == "ACCESS-" + id + "-refreshed" ? 1 : 0;
  }
  CHECK(refreshed > 0);
}

// Sign-in limits over real HTTP: attempts counted before their password check (so parallel
// connections get no extra guesses), the bounded queue of password checks, and the client
// address behind a trusted reverse proxy.

#include <algorithm>
#include <functional>
#include <future>
#include <map>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/daemon_harness.hpp"
#include "tests/support/http_client.hpp"

using namespace rosterd::testing;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* owner_email = "owner@limits.test";
constexpr const char* owner_password = "correct horse battery staple";

/// rosterd with one account whose owner has accepted their invitation (so has a password).
struct one_owner {
  explicit one_owner(const std::string& server_extra = {}, const std::string& tail = {})
      : daemon(test_config(server_extra, tail)) {
    REQUIRE(daemon.wait_ready());
    auto made = run_to_end(rosterctl_binary(),
                           {"--config", daemon.config_path().string(), "bootstrap", "--name",
                            "Limits Agency", "--owner-email", owner_email},
                           {}, 60s);
    INFO(made.output);
    REQUIRE(made.exit_code == 0);
    const auto token = made.output.substr(made.output.find("token=") + 6, 49);
    auto accepted =
        post("/v1/invitations/accept", json{{"token", token}, {"password", owner_password}}.dump());
    INFO(accepted.body);
    REQUIRE(accepted.status == 200);
  }

  http_reply post(const std::string& target, const std::string& body,
                  std::map<std::string, std::string> headers = {}) {
    headers["Content-Type"] = "application/json";
    return http_request(daemon.port(), "POST", target, body, headers, 60s);
  }
  http_reply login(const std::string& email, const std::string& password,
                   const std::map<std::string, std::string>& headers = {}) {
    return post("/v1/session", json{{"email", email}, {"password", password}}.dump(), headers);
  }
  /// The same login `n` times at once, each on its own connection.
  std::vector<http_reply> logins_at_once(int n, const std::function<std::string(int)>& email_of) {
    std::vector<std::future<http_reply>> pending;
    for (int i = 0; i < n; ++i) {
      pending.push_back(std::async(std::launch::async, [this, i, &email_of] {
        return login(email_of(i), "not the password at all");
      }));
    }
    std::vector<http_reply> replies;
    for (auto& p : pending) {
      replies.push_back(p.get());
    }
    return replies;
  }

  daemon_harness daemon;
};

int count_status(const std::vector<http_reply>& replies, int status) {
  return static_cast<int>(
      std::count_if(replies.begin(), replies.end(),
                    [status](const http_reply& r) { return r.status == status; }));
}

}  // namespace

TEST_CASE("parallel wrong-password logins for one account: at most the limit are checked",
          "[sign-in][rate-limit]") {
  one_owner d;
  constexpr int attempts = 16;
  const auto replies = d.logins_at_once(attempts, [](int) { return std::string(owner_email); });
  const int checked = count_status(replies, 401);
  const int limited = count_status(replies, 429);
  INFO(checked << " checked, " << limited << " limited");
  CHECK(checked <= 5);  // the per-account limit, however many connections ask at once
  CHECK(checked + limited == attempts);
  for (const auto& r : replies) {
    if (r.status == 429) {
      CHECK(std::stoi(r.headers.at("retry-after")) > 0);
    }
  }
  // The account is now limited for the right password too.
  CHECK(d.login(owner_email, owner_password).status == 429);
}

TEST_CASE("logins beyond the queue of password checks get 503 busy with Retry-After",
          "[sign-in][hashing]") {
  // One hashing thread, nobody may wait for it, and each check takes long enough (Argon2id at
  // 24 iterations) that the other logins of a burst arrive while it runs.
  one_owner d({}, "\n[passwords]\niterations = 24\nhashing_threads = 1\nhash_queue_limit = 0\n");
  std::vector<http_reply> busy;
  int round = 0;
  for (; round < 5 && busy.empty(); ++round) {
    const auto replies = d.logins_at_once(
        6, [round](int i) { return "ghost" + std::to_string(round * 10 + i) + "@limits.test"; });
    for (const auto& r : replies) {
      INFO(r.status << " " << r.body);
      CHECK((r.status == 401 || r.status == 503));
      if (r.status == 503) {
        busy.push_back(r);
      }
    }
  }
  REQUIRE_FALSE(busy.empty());
  for (const auto& r : busy) {
    CHECK(json::parse(r.body)["type"] == "/problems/busy");
    CHECK(std::stoi(r.headers.at("retry-after")) >= 1);
  }
  // Refused before any work: nothing was counted against the owner or this address, and once
  // the burst is over the next login goes through.
  CHECK(d.login(owner_email, owner_password).status == 200);
}

TEST_CASE("behind a trusted proxy each client address has its own login limit",
          "[sign-in][proxies]") {
  one_owner d("trusted_proxies = [\"127.0.0.1\"]\n");
  const std::map<std::string, std::string> guesser{{"X-Forwarded-For", "198.51.100.1"}};
  for (int i = 0; i < 20; ++i) {
    REQUIRE(d.login("guess" + std::to_string(i) + "@limits.test", "wrong password here", guesser)
                .status == 401);
  }
  CHECK(d.login("guess99@limits.test", "wrong password here", guesser).status == 429);
  // Another client behind the same proxy is not held back by the guesser.
  CHECK(d.login(owner_email, owner_password, {{"X-Forwarded-For", "198.51.100.2"}}).status == 200);
}

TEST_CASE("behind a trusted proxy a client cannot pick its address by writing the header itself",
          "[sign-in][proxies]") {
  one_owner d("trusted_proxies = [\"127.0.0.1\"]\n");
  // The client sends its own X-Forwarded-For; the proxy appends the real address after it.
  for (int i = 0; i < 20; ++i) {
    const std::map<std::string, std::string> spoofed{
        {"X-Forwarded-For", "10.66.0." + std::to_string(i) + ", 203.0.113.7"}};
    REQUIRE(d.login("spray" + std::to_string(i) + "@limits.test", "wrong password here", spoofed)
                .status == 401);
  }
  CHECK(d.login("spray99@limits.test", "wrong password here",
                {{"X-Forwarded-For", "10.66.1.1, 203.0.113.7"}})
            .status == 429);
}

TEST_CASE("without trusted proxies a forwarding header changes nobody's address",
          "[sign-in][proxies]") {
  one_owner d;
  for (int i = 0; i < 20; ++i) {
    REQUIRE(d.login("spray" + std::to_string(i) + "@limits.test", "wrong password here",
                    {{"X-Forwarded-For", "198.51.100." + std::to_string(i)},
                     {"Forwarded", "for=198.51.100." + std::to_string(i)}})
                .status == 401);
  }
  CHECK(
      d.login("spray99@limits.test", "wrong password here", {{"X-Forwarded-For", "198.51.100.200"}})
          .status == 429);
}

// The API context is built whole: what it calls outside the edge cannot be left out or empty.

#include "edge/api/api_context.hpp"

#include <filesystem>
#include <functional>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <spdlog/spdlog.h>

#include "store/store.hpp"
#include "tests/support/edge_doubles.hpp"

using namespace rosterd;

namespace {

struct temp_store {
  temp_store()
      : dir(std::filesystem::temp_directory_path() /
            ("rosterd-api-context-test-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir);
    store::options opts;
    opts.path = dir / "api.db";
    db = store::store::open(opts, nullptr).value();
  }
  ~temp_store() {
    db.reset();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  std::unique_ptr<store::store> db;
};

}  // namespace

TEST_CASE("the api context calls the hooks it was built with", "[api_context]") {
  temp_store s;
  testing::no_mail mail;
  int queued = 0;
  int changed = 0;
  const auto fixed = std::chrono::system_clock::time_point(std::chrono::hours(24 * 365 * 50));
  edge::api::api_context api(
      *s.db, mail, {}, spdlog::default_logger(), nullptr,
      {.mail_queued = [&queued] { ++queued; },
       .connections_changed = [&changed] { ++changed; },
       .webhooks_queued = [] {},
       .render = [](const roster::mail_intent&) -> base::result<edge::api::rendered_text> {
         return edge::api::rendered_text{"subject", "text"};
       },
       .now = [fixed] { return fixed; }});
  api.mail_queued();
  api.connections_changed();
  CHECK(queued == 1);
  CHECK(changed == 1);
  CHECK(api.now() == fixed);
  CHECK(api.render(roster::mail_intent{})->subject == "subject");
  CHECK(api.oauth == nullptr);
}

TEST_CASE("an api context given an empty hook or no logger refuses to be built", "[api_context]") {
  temp_store s;
  testing::no_mail mail;
  const std::function<void()> empty;
  const auto with_empty_mail_hook = [&] {
    auto hooks = testing::inert_hooks();
    return edge::api::api_hooks{.mail_queued = empty,
                                .connections_changed = hooks.connections_changed,
                                .webhooks_queued = hooks.webhooks_queued,
                                .render = hooks.render,
                                .now = hooks.now};
  };
  CHECK_THROWS_AS(with_empty_mail_hook(), std::invalid_argument);
  CHECK_THROWS_AS(edge::api::api_context(*s.db, mail, {}, nullptr, nullptr, testing::inert_hooks()),
                  std::invalid_argument);
}

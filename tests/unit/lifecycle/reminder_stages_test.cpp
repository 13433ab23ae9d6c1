#include "lifecycle/reminder_stages.hpp"

#include <catch2/catch.hpp>

using namespace rosterd;
using namespace std::chrono_literals;
using lifecycle::due_stage;
using lifecycle::next_stage;
using lifecycle::stages_for;

namespace {

const auto deadline = std::chrono::sys_days{std::chrono::year{2027} / 2 / 1} + 9h;

std::chrono::seconds days(int n) {
  return std::chrono::hours(24 * n);
}

std::vector<std::string> names(const std::vector<lifecycle::reminder_stage>& stages) {
  std::vector<std::string> out;
  for (const auto& s : stages) {
    out.push_back(s.name);
  }
  return out;
}

}  // namespace

TEST_CASE("a creator is reminded 14, 7, 3, 1 and 0 days ahead, then every 3 days four times",
          "[reminders]") {
  const auto stages = stages_for(deadline, lifecycle::default_creator_schedule());
  CHECK(names(stages) == std::vector<std::string>{"14d", "7d", "3d", "1d", "0d", "after-3d",
                                                  "after-6d", "after-9d", "after-12d"});
  CHECK(stages.front().at == deadline - days(14));
  CHECK(stages[4].at == deadline);
  CHECK(stages.back().at == deadline + days(12));
  CHECK(stages.back().after_deadline);
  for (std::size_t i = 0; i < stages.size(); ++i) {
    CHECK(stages[i].index == static_cast<int>(i));
  }
}

TEST_CASE("agents hear 7 and 1 day ahead and once when it has expired", "[reminders]") {
  const auto stages = stages_for(deadline, lifecycle::default_agent_schedule());
  CHECK(names(stages) == std::vector<std::string>{"7d", "1d", "expired"});
  CHECK(stages.back().at == deadline);
}

TEST_CASE("each stage is due once, in order, as time passes", "[reminders]") {
  const auto stages = stages_for(deadline, lifecycle::default_creator_schedule());
  std::optional<int> last;
  std::vector<std::string> sent;
  for (auto t = deadline - days(20); t <= deadline + days(20); t += 1h) {
    if (auto s = due_stage(stages, last, t)) {
      sent.push_back(s->name);
      last = s->index;
    }
  }
  CHECK(sent == names(stages));
}

TEST_CASE("stages missed while the daemon was down collapse into the latest one", "[reminders]") {
  const auto stages = stages_for(deadline, lifecycle::default_creator_schedule());
  // Sent 14d, then down from 8 days ahead until 2 days ahead: 7d and 3d both came due.
  const auto after_downtime = due_stage(stages, 0, deadline - days(2));
  REQUIRE(after_downtime);
  CHECK(after_downtime->name == "3d");
  CHECK_FALSE(due_stage(stages, after_downtime->index, deadline - days(2)).has_value());
  const auto next = next_stage(stages, after_downtime->index, deadline - days(2));
  REQUIRE(next);
  CHECK(next->name == "1d");
}

TEST_CASE("nothing is due before the first stage and nothing is left after the last",
          "[reminders]") {
  const auto stages = stages_for(deadline, lifecycle::default_creator_schedule());
  CHECK_FALSE(due_stage(stages, std::nullopt, deadline - days(15)).has_value());
  CHECK(next_stage(stages, std::nullopt, deadline - days(15))->name == "14d");
  CHECK_FALSE(next_stage(stages, 8, deadline + days(30)).has_value());
  CHECK_FALSE(due_stage(stages, 8, deadline + days(30)).has_value());
}

TEST_CASE("a configured schedule is sorted, de-duplicated and named by its largest unit",
          "[reminders]") {
  const lifecycle::reminder_schedule custom{{36h, days(2), 36h, 90min}, 12h, 2};
  CHECK(names(stages_for(deadline, custom)) ==
        std::vector<std::string>{"2d", "36h", "90m", "after-12h", "after-1d"});
  const lifecycle::reminder_schedule once_at_expiry{{}, 0s, 5};
  CHECK(names(stages_for(deadline, once_at_expiry)) == std::vector<std::string>{"expired"});
}

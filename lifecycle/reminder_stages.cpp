#include "lifecycle/reminder_stages.hpp"

#include <algorithm>
#include <functional>

namespace rosterd::lifecycle {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

constexpr seconds days(int n) {
  return std::chrono::duration_cast<seconds>(hours(24 * n));
}

// "14d", "36h", "90m", "45s": the largest whole unit, so names stay stable and readable.
std::string span_name(seconds s) {
  const auto n = s.count();
  if (n % 86400 == 0) {
    return std::to_string(n / 86400) + "d";
  }
  if (n % 3600 == 0) {
    return std::to_string(n / 3600) + "h";
  }
  if (n % 60 == 0) {
    return std::to_string(n / 60) + "m";
  }
  return std::to_string(n) + "s";
}

}  // namespace

reminder_schedule default_creator_schedule() {
  return {{days(14), days(7), days(3), days(1), days(0)}, days(3), 4};
}

reminder_schedule default_agent_schedule() {
  // "expired" is the one stage after the deadline: at the moment it passes.
  return {{days(7), days(1)}, days(0), 1};
}

std::vector<reminder_stage> stages_for(time_point deadline, const reminder_schedule& schedule) {
  auto before = schedule.before;
  std::sort(before.begin(), before.end(), std::greater<>());
  before.erase(std::unique(before.begin(), before.end()), before.end());
  std::vector<reminder_stage> stages;
  stages.reserve(before.size() + static_cast<std::size_t>(std::max(schedule.after_count, 0)));
  for (const auto ahead : before) {
    stages.push_back({static_cast<int>(stages.size()), span_name(ahead), deadline - ahead, false});
  }
  for (int k = 1; k <= schedule.after_count; ++k) {
    const auto late = schedule.after_every * k;
    if (late.count() == 0 && k > 1) {
      break;  // repeating "every 0 days" is one stage, not several at the same moment
    }
    if (late.count() == 0 && !stages.empty() && stages.back().at == deadline) {
      continue;  // a 0d stage already falls at the deadline
    }
    stages.push_back({static_cast<int>(stages.size()),
                      late.count() == 0 ? "expired" : "after-" + span_name(late), deadline + late,
                      true});
  }
  return stages;
}

std::optional<reminder_stage> due_stage(const std::vector<reminder_stage>& stages,
                                        std::optional<int> last_sent, time_point now) {
  std::optional<reminder_stage> due;
  for (const auto& s : stages) {
    if (last_sent && s.index <= *last_sent) {
      continue;
    }
    if (s.at > now) {
      break;
    }
    due = s;
  }
  return due;
}

std::optional<reminder_stage> next_stage(const std::vector<reminder_stage>& stages,
                                         std::optional<int> last_sent, time_point now) {
  for (const auto& s : stages) {
    if ((!last_sent || s.index > *last_sent) && s.at > now) {
      return s;
    }
  }
  return std::nullopt;
}

}  // namespace rosterd::lifecycle

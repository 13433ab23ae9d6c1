#pragma once
// When to remind about one deadline: stages before it (creators by default 14, 7, 3, 1 and 0
// days ahead), then a few more after it has passed (every 3 days, at most 4). Pure timing: no
// database, no clock of its own, so the scheduler and the tests ask the same questions.
//
// At most one message goes out per stage, and stages that came due while the daemon was down
// collapse: only the latest due stage is sent, and the earlier ones count as covered by it.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "roster/clock.hpp"

namespace rosterd::lifecycle {

using roster::time_point;

struct reminder_schedule {
  /// How long before the deadline each stage falls, any order (they are sorted).
  std::vector<std::chrono::seconds> before;
  /// After the deadline: a stage every `after_every`, at most `after_count` of them.
  std::chrono::seconds after_every{0};
  int after_count = 0;

  bool operator==(const reminder_schedule&) const = default;
};

/// The defaults: creators 14d, 7d, 3d, 1d, 0d then every 3 days 4 times; agents 7d, 1d and
/// once when it has expired.
reminder_schedule default_creator_schedule();
reminder_schedule default_agent_schedule();

struct reminder_stage {
  int index = 0;     ///< position in time order, from 0
  std::string name;  ///< stable, for idempotency keys and templates: "14d", "0d", "after-3d"
  time_point at;
  bool after_deadline = false;

  bool operator==(const reminder_stage&) const = default;
};

/// Every stage of `schedule` for a deadline at `deadline`, in time order. Stages before the
/// deadline that fall on the same moment are one stage.
std::vector<reminder_stage> stages_for(time_point deadline, const reminder_schedule& schedule);

/// The stage to send at `now`, given the index of the last stage sent for this deadline (none
/// yet: nullopt): the latest stage whose time has come after the last one sent. Earlier due
/// stages are covered by it. nullopt when nothing is due.
std::optional<reminder_stage> due_stage(const std::vector<reminder_stage>& stages,
                                        std::optional<int> last_sent, time_point now);

/// The first stage after the last one sent whose time has not come at `now`: when to look
/// again. nullopt when no stage is left.
std::optional<reminder_stage> next_stage(const std::vector<reminder_stage>& stages,
                                         std::optional<int> last_sent, time_point now);

}  // namespace rosterd::lifecycle

#pragma once
// Which reminder and alert stages apply to each provider's deadlines. A reload replaces them
// while jobs run: each job takes one snapshot, so a message is never made from half of an old
// and half of a new configuration.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "lifecycle/reminder_stages.hpp"

namespace rosterd::lifecycle {

struct stage_plan {
  reminder_schedule creator = default_creator_schedule();
  reminder_schedule team = default_agent_schedule();
  bool operator==(const stage_plan&) const = default;
};

struct stage_settings {
  stage_plan defaults;
  std::map<std::string, stage_plan, std::less<>> by_provider;

  [[nodiscard]] const stage_plan& for_provider(std::string_view id) const {
    const auto found = by_provider.find(id);
    return found == by_provider.end() ? defaults : found->second;
  }
};

class stage_settings_holder {
 public:
  explicit stage_settings_holder(stage_settings s = {})
      : current_(std::make_shared<const stage_settings>(std::move(s))) {}
  [[nodiscard]] std::shared_ptr<const stage_settings> current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }
  void replace(stage_settings s) {
    auto next = std::make_shared<const stage_settings>(std::move(s));
    std::lock_guard lock(mutex_);
    current_ = std::move(next);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const stage_settings> current_;
};

}  // namespace rosterd::lifecycle
